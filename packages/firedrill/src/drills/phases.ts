import { alertResolvesVerifier } from '../conditions/alert-fires.ts';
import { type NotificationCounts, readNotificationCounts } from '../conditions/notifications.ts';
import { slackMessageVerifier } from '../conditions/slack-message.ts';
import {
  alertMatches,
  fail,
  nextPoll,
  pass,
  type Verifier,
  type VerifierContext,
} from '../conditions/types.ts';
import { formatMs } from '../core/duration.ts';
import type { ConditionData, ConditionResult, Lane } from '../core/result.ts';
import type { Mark } from '../core/timeline.ts';
import type { DrillPlan } from './plan.ts';
import type { DrillTraffic } from './traffic.ts';

/**
 * The implicit first condition of a drill with traffic: the fault took effect, i.e. the drill's
 * own requests stopped being answered as in the steady state. Without it, a fault the app
 * ignores reads as "the alert never fired" and sends people to debug the wrong hop.
 */
export function steadyStateLeftVerifier(
  drill: DrillPlan,
  traffic: DrillTraffic,
  firstBadSample: () => number | undefined,
): Verifier {
  const alertWithin = drill.expect.flatMap((c) => (c.type === 'alertFires' ? [c.within] : []));
  const within = alertWithin.length ? Math.min(...alertWithin) : 30_000;
  return {
    condition: { type: 'steadyStateLeft', within },
    hop: 'inject',
    phase: 'observe',
    async wait(deadline, signal) {
      const bad = await traffic.waitForBad(deadline, signal);
      if (bad) {
        const at = firstBadSample() ?? bad.at;
        return pass(at, {
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
        `steady state never left: none of the ${t.sent} ${traffic.unit} during the fault was affected within ${formatMs(within)} (${statuses}); the app ignored the fault`,
        { ...t },
      );
    },
  };
}

/**
 * Side observations during observe that are no condition: when Alertmanager pushed the
 * notification. `stop` ends the watch and returns the marks it saw.
 */
export function observeExtras(
  drill: DrillPlan,
  ctx: VerifierContext,
): { stop(): Partial<Record<Mark, number>> } {
  const webhook = ctx.webhook;
  const alert = drill.alert;
  if (!webhook) return { stop: () => ({}) };
  let receivedAt: number | undefined;
  const see = (r: Parameters<Parameters<typeof webhook.subscribe>[0]>[0]) => {
    if (r.alert.status !== 'firing' || r.receivedAt < ctx.injectedAt || receivedAt !== undefined) return;
    const ours = ctx.drillLabel
      ? r.alert.labels.drill_id === ctx.drillLabel
      : alert !== undefined && alertMatches(r.alert.labels, alert, undefined, undefined);
    if (!ours) return;
    receivedAt = r.receivedAt;
    ctx.timeline.add(
      'notify',
      'observe',
      `Alertmanager sent ${r.alert.labels.alertname} (webhook)`,
      { receiver: r.receiver },
      r.receivedAt,
    );
  };
  const unsubscribe = webhook.subscribe(see);
  // Alerts that arrived before the subscription (a very fast pipeline) are picked up too.
  for (const r of webhook.received(ctx.injectedAt)) see(r);
  return {
    stop: () => {
      unsubscribe();
      return receivedAt === undefined ? {} : { webhookReceived: receivedAt };
    },
  };
}

/**
 * Watches Alertmanager's own count of failed Slack sends while the drill observes: a rise is
 * conclusive (the notification hop is broken, whatever the channel shows later) and becomes a
 * failed condition naming the counter. `stop` ends the watch and returns it, if it failed.
 */
export function watchFailedSends(
  ctx: VerifierContext,
  before: NotificationCounts | undefined,
  within: number,
  signal: AbortSignal,
  onFail: (r: ConditionResult) => void,
): { stop(): Promise<ConditionResult | undefined> } {
  const am = ctx.alertmanager;
  if (!am || !before) return { stop: async () => undefined };
  const ended = new AbortController();
  const both = AbortSignal.any([signal, ended.signal]);
  const deadline = ctx.injectedAt + within;
  const watching = (async (): Promise<ConditionResult | undefined> => {
    while (await nextPoll(deadline, both, SEND_POLL_MS)) {
      const now = await readNotificationCounts(am.opts, 'slack', both).catch(() => undefined);
      if (!now || now.failed <= before.failed) continue;
      const failed = now.failed - before.failed;
      const r: ConditionResult = {
        condition: { type: 'notificationsSent', integration: 'slack', within },
        hop: 'notify',
        phase: 'observe',
        withinMs: within,
        deadline,
        status: 'fail',
        actual: { failed, sent: now.sent - before.sent },
        message: `Alertmanager failed ${failed} send${failed > 1 ? 's' : ''} to Slack at +${formatMs(Date.now() - ctx.injectedAt)} (alertmanager_notifications_failed_total{integration="slack"} ${before.failed} → ${now.failed}): the receiver's URL or credentials are wrong, or Slack refuses it`,
      };
      ctx.timeline.add('notify', 'observe', 'Alertmanager: Slack sends failing', { failed });
      onFail(r);
      return r;
    }
    return undefined;
  })();
  return {
    stop: async () => {
      ended.abort();
      return watching;
    },
  };
}

// Alertmanager retries a failed send with backoff; a poll a second sees the first failure.
const SEND_POLL_MS = 1_000;

/** A resolve condition that cannot apply: its alert never fired, so there is nothing to resolve. */
function notApplicable(condition: ConditionData, hop: Lane, why: string): Verifier {
  return {
    condition,
    hop,
    phase: 'resolve',
    wait: async () => ({ status: 'skipped', message: `not applicable: ${why}` }),
  };
}

/**
 * After rollback: every expected alert resolves, and a resolved message reaches every expected
 * channel. An alert that never fired has nothing to resolve: its conditions are not applicable,
 * never a pass.
 */
export function resolveVerifiers(
  drill: DrillPlan,
  ctx: VerifierContext,
  fired: (alert: string) => boolean = () => true,
): Verifier[] {
  const out: Verifier[] = [];
  const spec = drill.resolve;
  if (!spec) return out;
  const within = spec.withinMs;
  if (spec.alert) {
    for (const c of drill.expect) {
      if (c.type !== 'alertFires') continue;
      if (!fired(c.alert)) {
        out.push(
          notApplicable(
            { type: 'alertResolves', alert: c.alert, within },
            'resolve',
            `${c.alert} never fired`,
          ),
        );
        continue;
      }
      // Pushed resolution when Alertmanager has firedrill's webhook; otherwise poll the rule's source.
      const source =
        drill.routing || (c.source ?? 'prometheus') === 'alertmanager'
          ? 'alertmanager'
          : (c.source ?? 'prometheus');
      // Matched from the injection on: an alert may resolve before the rollback (bad traffic that ended).
      out.push(alertResolvesVerifier(c.alert, c.labels, source, within, ctx, ctx.injectedAt));
    }
  }
  if (spec.message) {
    for (const c of drill.expect) {
      if (c.type !== 'slackMessage') continue;
      if (c.alert && !fired(c.alert)) {
        out.push(
          notApplicable(
            { type: 'slackResolved', channel: c.channel, alert: c.alert, within },
            'resolve',
            `${c.alert} never fired, so no resolved message is due`,
          ),
        );
        continue;
      }
      out.push(slackMessageVerifier({ ...c, within }, ctx, { resolved: true, oldest: ctx.injectedAt }));
    }
  }
  return out;
}
