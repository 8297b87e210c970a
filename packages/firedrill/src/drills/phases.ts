import { formatMs, parseDuration } from '../core/duration.ts';
import type { ConditionResult } from '../core/result.ts';
import { alertResolvesVerifier } from '../verifiers/alert-state.ts';
import { slackMessageVerifier } from '../verifiers/slack.ts';
import { alertMatches, fail, pass, type Verifier, type VerifierContext } from '../verifiers/types.ts';
import { type AlertFiresCondition, primaryAlert } from './conditions.ts';
import type { DrillDefinition, ResolveSpec } from './define.ts';
import type { DrillTraffic } from './traffic.ts';

/**
 * The implicit first condition of a drill with traffic: the fault took effect, i.e. the drill's
 * own requests stopped being answered as in the steady state. Without it, a fault the app
 * ignores reads as "the alert never fired" and sends people to debug the wrong hop.
 */
export function steadyStateLeftVerifier(
  drill: DrillDefinition,
  traffic: DrillTraffic,
  ctx: VerifierContext,
): Verifier {
  const alertWithin = drill.expect
    .filter((c): c is AlertFiresCondition => c.type === 'alertFires')
    .map((c) => parseDuration(c.within));
  const within = alertWithin.length ? Math.min(...alertWithin) : 30_000;
  const condition: ConditionResult['condition'] = { type: 'steadyStateLeft', within };
  return {
    condition,
    async wait(deadline, signal) {
      const bad = await traffic.waitForBad(deadline, signal);
      if (bad) {
        const at = ctx.timeline.marks.firstBadSample ?? bad.at;
        return pass(condition, at, {
          status: bad.status,
          error: bad.error,
          durationMs: bad.durationMs,
          path: bad.path,
        });
      }
      const t = traffic.tally;
      const statuses =
        Object.entries(t.byStatus)
          .map(([s, n]) => `${n}×${s}`)
          .join(', ') || 'none answered';
      return fail(
        condition,
        `steady state never left: none of the ${t.sent} ${traffic.unit} during the fault was affected within ${formatMs(within)} (${statuses}); the app ignored the fault`,
        { ...t },
      );
    },
  };
}

/** Side observations during observe that are no condition: when Alertmanager pushed the notification. */
export function observeExtras(drill: DrillDefinition, ctx: VerifierContext): { stop(): void } {
  const webhook = ctx.webhook;
  const alert = primaryAlert(drill.expect);
  if (!webhook) return { stop() {} };
  const unsubscribe = webhook.subscribe((r) => {
    if (r.alert.status !== 'firing' || r.receivedAt < ctx.injectedAt) return;
    const ours = ctx.drillLabel
      ? r.alert.labels.drill_id === ctx.drillLabel
      : alert !== undefined && alertMatches(r.alert.labels, alert, undefined, undefined);
    if (!ours) return;
    if (ctx.timeline.mark('webhookReceived', r.receivedAt)) {
      ctx.timeline.add(
        'observe',
        `Alertmanager sent ${r.alert.labels.alertname} (webhook)`,
        { receiver: r.receiver },
        r.receivedAt,
      );
    }
  });
  // Alerts that arrived before the subscription (a very fast pipeline) are picked up too.
  for (const r of webhook.received(ctx.injectedAt)) {
    if (
      r.alert.status === 'firing' &&
      (ctx.drillLabel ? r.alert.labels.drill_id === ctx.drillLabel : r.alert.labels.alertname === alert)
    ) {
      if (ctx.timeline.mark('webhookReceived', r.receivedAt)) {
        ctx.timeline.add(
          'observe',
          `Alertmanager sent ${r.alert.labels.alertname} (webhook)`,
          { receiver: r.receiver },
          r.receivedAt,
        );
      }
    }
  }
  return { stop: unsubscribe };
}

/** After rollback: every expected alert resolves, and a resolved message reaches every expected channel. */
export function resolveVerifiers(
  drill: DrillDefinition,
  ctx: VerifierContext,
  within: number,
  routing: boolean,
  routingAlert: string | undefined,
): Verifier[] {
  const out: Verifier[] = [];
  const spec: Partial<ResolveSpec> = drill.resolve || {};
  if (spec.alert !== false) {
    for (const c of drill.expect) {
      if (c.type !== 'alertFires') continue;
      // Pushed resolution when Alertmanager has firedrill's webhook; otherwise poll the rule's source.
      const source =
        routing || (c.source ?? 'prometheus') === 'alertmanager'
          ? 'alertmanager'
          : (c.source ?? 'prometheus');
      // Matched from the injection on: an alert may resolve before the rollback (bad traffic that ended).
      out.push(alertResolvesVerifier(c.alert, c.labels, source, within, ctx, ctx.injectedAt));
    }
  }
  if (spec.message !== false) {
    const fallback = primaryAlert(drill.expect) ?? routingAlert;
    for (const c of drill.expect) {
      if (c.type !== 'slackMessage') continue;
      const alert = c.alert ?? fallback;
      out.push(
        slackMessageVerifier({ ...c, within, ...(alert ? { alert } : {}) }, ctx, {
          resolved: true,
          oldest: ctx.injectedAt,
        }),
      );
    }
  }
  return out;
}
