import { z } from 'zod';
import type { ReceivedAlert } from '../clients/webhook-receiver.ts';
import { durationMs, formatMs } from '../core/duration.ts';
import type { ConditionResult } from '../core/result.ts';
import { recordMark } from '../core/timeline.ts';
import { alertName, defineConditionKind, labelMap } from './kind.ts';
import { alertMatches, errored, fail, nextPoll, pass, type Verifier, type VerifierContext } from './types.ts';

const SOURCES = ['prometheus', 'alertmanager', 'grafana'] as const;
/** Where an alert's state is read. */
export type AlertSource = (typeof SOURCES)[number];

const schema = z.strictObject({
  type: z.literal('alertFires'),
  /** The alert rule's name (`alertname` label). */
  alert: alertName,
  /** Labels the firing alert must carry, exactly. @example { severity: 'critical' } */
  labels: labelMap.optional(),
  /**
   * Which system must report the alert firing. `alertmanager` is satisfied by the push webhook
   * the moment Alertmanager sends it (or by polling its API when no push is possible).
   * @defaultValue 'prometheus'
   */
  source: z.enum(SOURCES).optional(),
  /** Deadline, counted from the moment the fault was injected. */
  within: durationMs,
});

/** As a drill file writes it. */
export type AlertFiresCondition = z.input<typeof schema>;
/** As the drill runs it: `within` in ms. */
export type AlertFiresPlan = z.output<typeof schema>;

/**
 * The alert must fire within the deadline.
 * @example alertFires('HighApiErrorRate', { labels: { severity: 'critical' }, within: '30s' })
 */
export function alertFires(
  alert: string,
  opts: Omit<AlertFiresCondition, 'type' | 'alert'>,
): AlertFiresCondition {
  return { type: 'alertFires', alert, ...opts };
}

export const alertFiresKind = defineConditionKind({
  type: 'alertFires',
  schema,
  verifier: (plan, ctx, inputs) => alertFiresVerifier(plan, ctx, inputs.forMs(plan.alert)),
});

/** One look at an alert in one system. */
export interface AlertSighting {
  state: 'inactive' | 'pending' | 'firing' | 'nodata' | 'error';
  /** When the system says the alert became active (Prometheus' activeAt, Alertmanager's startsAt). */
  activeAt?: number;
  value?: string;
  labels?: Record<string, string>;
}

type Want = { alert: string; labels?: Record<string, string> | undefined };

/** The alert's current state in Prometheus, Alertmanager or Grafana (polling). */
export async function sightAlert(
  ctx: VerifierContext,
  source: AlertSource,
  want: Want,
  signal: AbortSignal,
): Promise<AlertSighting> {
  const matches = (labels: Record<string, string>) =>
    alertMatches(labels, want.alert, want.labels, ctx.drillLabel);
  if (source === 'prometheus') {
    if (!ctx.prometheus) throw new Error('source prometheus: the environment has no prometheusUrl');
    const alerts = (await ctx.prometheus.alerts(signal)).filter((a) => matches(a.labels));
    const best = alerts.find((a) => a.state === 'firing') ?? alerts.find((a) => a.state === 'pending');
    if (!best) return { state: 'inactive' };
    return {
      state: best.state === 'firing' ? 'firing' : 'pending',
      ...(best.activeAt ? { activeAt: Date.parse(best.activeAt) } : {}),
      value: best.value,
      labels: best.labels,
    };
  }
  if (source === 'alertmanager') {
    if (!ctx.alertmanager) throw new Error('source alertmanager: the environment has no alertmanagerUrl');
    const alerts = (
      await ctx.alertmanager.alerts({ filter: [`alertname="${want.alert}"`], active: true }, signal)
    )
      .filter((a) => matches(a.labels))
      // Alertmanager keeps an alert listed until endsAt; a resolved one has endsAt in the past.
      .filter((a) => Date.parse(a.endsAt) > Date.now());
    const first = alerts[0];
    return first
      ? { state: 'firing', activeAt: Date.parse(first.startsAt), labels: first.labels }
      : { state: 'inactive' };
  }
  if (!ctx.grafana) throw new Error('source grafana: the environment has no grafana { url, token }');
  const instances = (await ctx.grafana.instances(want.alert, signal)).filter((i) => matches(i.labels));
  const rank = ['firing', 'pending', 'error', 'nodata', 'inactive'] as const;
  const best = rank.map((s) => instances.find((i) => i.state === s)).find(Boolean);
  if (!best) return { state: 'inactive' };
  return {
    state: best.state,
    ...(best.activeAt ? { activeAt: Date.parse(best.activeAt) } : {}),
    value: best.value,
    labels: best.labels,
  };
}

function webhookMatch(ctx: VerifierContext, want: Want, status: 'firing' | 'resolved') {
  return (r: ReceivedAlert) =>
    r.alert.status === status && alertMatches(r.alert.labels, want.alert, want.labels, ctx.drillLabel);
}

/**
 * The alert fires. Source `alertmanager` with the push receiver is satisfied the moment
 * Alertmanager's webhook arrives; everything else polls. Pending and firing go on the timeline
 * at the system's own timestamps.
 */
export function alertFiresVerifier(
  cond: AlertFiresPlan,
  ctx: VerifierContext,
  forMs = 0,
): Verifier<AlertFiresPlan> {
  const source = cond.source ?? 'prometheus';
  const want = { alert: cond.alert, labels: cond.labels };
  return {
    condition: cond,
    hop: 'fire',
    phase: 'observe',
    async wait(deadline, signal) {
      const marks: NonNullable<ConditionResult['marks']> = {};
      if (source === 'alertmanager' && ctx.webhook) {
        const stop = AbortSignal.any([signal, AbortSignal.timeout(Math.max(0, deadline - Date.now()))]);
        try {
          const got = await ctx.webhook.waitFor(webhookMatch(ctx, want, 'firing'), ctx.injectedAt, stop);
          return pass(got.receivedAt, { source: 'alertmanager', via: 'webhook', labels: got.alert.labels });
        } catch {
          return fail(`${cond.alert} never reached Alertmanager's webhook within ${formatMs(cond.within)}`);
        }
      }
      let last: AlertSighting = { state: 'inactive' };
      let lastError: string | undefined;
      let pendingSeen = false;
      do {
        try {
          last = await sightAlert(ctx, source, want, signal);
          lastError = undefined;
        } catch (err) {
          if (signal.aborted) break;
          lastError = (err as Error).message;
          continue;
        }
        if (last.state === 'pending' && !pendingSeen) {
          pendingSeen = true;
          const at = last.activeAt ?? Date.now();
          if (recordMark(marks, 'pending', at))
            ctx.timeline.add('fire', 'observe', `${cond.alert} pending (${source})`, { source }, at);
        }
        if (last.state === 'firing') {
          // activeAt is an evaluation slot exactly: it pins the group's evaluation grid for the hop model.
          if (source === 'prometheus' && last.activeAt !== undefined)
            recordMark(marks, 'ruleActive', last.activeAt);
          // Prometheus fires at the first evaluation `for` after activeAt; that moment, not our poll, is the hop's end.
          const at = Math.min(Date.now(), (last.activeAt ?? Date.now()) + forMs);
          if (!pendingSeen && last.activeAt !== undefined && forMs > 0) {
            recordMark(marks, 'pending', last.activeAt);
            ctx.timeline.add(
              'fire',
              'observe',
              `${cond.alert} pending (${source})`,
              { source },
              last.activeAt,
            );
          }
          if (recordMark(marks, 'firing', at)) {
            ctx.timeline.add(
              'fire',
              'observe',
              `${cond.alert} firing (${source})`,
              { source, value: last.value },
              at,
            );
          }
          return pass(at, { source, ...last }, undefined, marks);
        }
      } while (await nextPoll(deadline, signal));
      if (lastError && last.state === 'inactive') return errored(new Error(`${source}: ${lastError}`));
      const within = formatMs(cond.within);
      const why =
        last.state === 'pending'
          ? `pending since ${new Date(last.activeAt ?? 0).toISOString()} but not firing yet (for: ${formatMs(forMs)})`
          : `${source} kept it ${last.state}: the rule's condition never held`;
      return fail(`${cond.alert} never fired within ${within}: ${why}`, { source, ...last }, marks);
    },
  };
}

/** After rollback: the alert is resolved in `source` (and the resolved webhook arrived, when pushed). */
export function alertResolvesVerifier(
  alert: string,
  labels: Record<string, string> | undefined,
  source: AlertSource,
  within: number,
  ctx: VerifierContext,
  since: number,
): Verifier {
  const condition = { type: 'alertResolves', alert, ...(labels ? { labels } : {}), source, within };
  const want = { alert, labels };
  return {
    condition,
    hop: 'resolve',
    phase: 'resolve',
    async wait(deadline, signal) {
      if (source === 'alertmanager' && ctx.webhook) {
        const stop = AbortSignal.any([signal, AbortSignal.timeout(Math.max(0, deadline - Date.now()))]);
        try {
          const got = await ctx.webhook.waitFor(webhookMatch(ctx, want, 'resolved'), since, stop);
          ctx.timeline.add(
            'resolve',
            'resolve',
            `${alert} resolved (Alertmanager webhook)`,
            { source },
            got.receivedAt,
          );
          return pass(got.receivedAt, { source, via: 'webhook' }, undefined, {
            webhookResolved: got.receivedAt,
            resolved: got.receivedAt,
          });
        } catch {
          return fail(`${alert} did not resolve within ${formatMs(within)} of the rollback`);
        }
      }
      let last: AlertSighting = { state: 'inactive' };
      do {
        try {
          last = await sightAlert(ctx, source, want, signal);
        } catch {
          continue;
        }
        if (last.state === 'inactive') {
          const at = Date.now();
          ctx.timeline.add('resolve', 'resolve', `${alert} resolved (${source})`, { source }, at);
          return pass(at, { source, state: 'inactive' }, undefined, { resolved: at });
        }
      } while (await nextPoll(deadline, signal));
      return fail(`${alert} still ${last.state} in ${source} ${formatMs(within)} after the rollback`, last);
    },
  };
}
