import { scrapeIntervalOf } from '../clients/prometheus.ts';
import type { Mark } from '../core/timeline.ts';
import { lastOnGrid, nextOnGrid, type PipelineClock } from './pipeline-clock.ts';
import type { PreflightInfo } from './preflight.ts';

/** The hops the pipeline model covers: what Prometheus and Alertmanager make a drill wait for. */
export const MODELLED_HOPS = ['fire', 'notify', 'resolve', 'resolve_notify'] as const;
type ModelledHop = (typeof MODELLED_HOPS)[number];
type PerHop = Partial<Record<ModelledHop, number>>;

/**
 * Hop latencies of one drill, in ms, as `result.metrics` carries them:
 * - `hop_ms_fire`: fault injected → the alert firing (Prometheus' own firing moment);
 * - `hop_ms_alertmanager`: fault injected → Alertmanager's webhook arrived (push path);
 * - `hop_ms_notify`: fault injected → the Slack message posted (the sink's or Slack's `ts`);
 * - `hop_ms_log`: fault injected → the first log entry of the drill's requests found;
 * - `hop_ms_resolve`: rollback → the alert resolved; `hop_ms_resolve_notify`: → the resolved message;
 * - `own_ms_notify`: webhook received → Slack message seen: firedrill's own share of time to notify;
 * - `pipeline_min_ms_<hop>`: the least the live config allows with perfect timing (`for` rounded
 *   up to whole evaluations; + group_wait for the message): no drill can beat it (`--dry-run`);
 * - `pipeline_max_ms_<hop>`: the most the live config can cost (scrape interval + evaluation
 *   interval + `for` + group_wait, or group_interval when that is longer; the rule's window too
 *   for resolving, and group_interval for the resolved message, which Alertmanager sends on that
 *   tick), counted like the expectation from when the app could first report the fault;
 * - `pipeline_expected_ms_<hop>`: what this run's timing made unavoidable: the wait for the
 *   target's next scrape after the fault, then for the rule group's next evaluation, plus `for`
 *   and group_wait; for resolving, the evaluation Prometheus itself resolved at (see `expectedHops`);
 * - `beyond_pipeline_ms_<hop>`: measured − expected, the share of firedrill and the network, and
 *   of what no timing predicts: the rule's expression building up over its window (a rate, a
 *   mean), a fault that takes a while to bite, an Alertmanager group tick a message just missed;
 * - `rule_eval_offset_ms`: the rule group's evaluation slot after the app's scrape, within one interval.
 */
export function hopMetrics(
  marks: Partial<Record<Mark, number>>,
  info: PreflightInfo | undefined,
  primaryAlert: string | undefined,
  routing: boolean,
  clock?: PipelineClock,
): Record<string, number> {
  const m: Record<string, number> = {};
  const span = (name: string, from: Mark, to: Mark) => {
    const a = marks[from];
    const b = marks[to];
    if (a !== undefined && b !== undefined) m[name] = Math.max(0, b - a);
  };
  span('hop_ms_first_bad_sample', 'injected', 'firstBadSample');
  span('hop_ms_pending', 'injected', 'pending');
  span('hop_ms_fire', 'injected', 'firing');
  span('hop_ms_alertmanager', 'injected', 'webhookReceived');
  span('hop_ms_notify', 'injected', 'slackPosted');
  span('hop_ms_log', 'injected', 'logsSeen');
  span('hop_ms_resolve', 'rolledBack', 'resolved');
  span('hop_ms_resolve_notify', 'rolledBack', 'slackResolvedPosted');
  span('own_ms_notify', 'webhookReceived', 'slackSeen');
  span('own_ms_slack_read', 'slackPosted', 'slackSeen');

  const timing = pipelineTiming(info, primaryAlert, routing, clock);
  if (timing) {
    const max = maxHops(timing, routing, answerMs(marks));
    for (const [hop, ms] of Object.entries(minHops(timing, routing))) m[`pipeline_min_ms_${hop}`] = ms;
    const expected = expectedHops(timing, routing, marks, clock);
    for (const hop of MODELLED_HOPS) {
      const mx = max[hop];
      const ex = expected[hop];
      if (mx !== undefined) m[`pipeline_max_ms_${hop}`] = mx;
      if (ex === undefined) continue;
      m[`pipeline_expected_ms_${hop}`] = ex;
      const measured = m[`hop_ms_${hop}`];
      if (measured !== undefined) m[`beyond_pipeline_ms_${hop}`] = measured - ex;
    }
  }
  if (info?.evalOffsetMs !== undefined) m.rule_eval_offset_ms = info.evalOffsetMs;
  return m;
}

/** The intervals one alert's path is built from, as the live config has them. */
interface PipelineTiming {
  scrapeMs: number;
  evalMs: number;
  /** `for`, rounded up to whole evaluations: Prometheus only fires on an evaluation. */
  forMs: number;
  windowMs: number;
  groupWaitMs?: number;
  groupIntervalMs?: number;
}

function pipelineTiming(
  info: PreflightInfo | undefined,
  primaryAlert: string | undefined,
  routing: boolean,
  clock: PipelineClock | undefined,
): PipelineTiming | undefined {
  const am = info?.amTiming;
  const amPart = am ? { groupWaitMs: am.groupWaitMs, groupIntervalMs: am.groupIntervalMs } : {};
  if (routing) return am ? { scrapeMs: 0, evalMs: 0, forMs: 0, windowMs: 0, ...amPart } : undefined;
  const prom = info?.promTiming;
  if (!prom) return undefined;
  const rule = primaryAlert ? info?.rules.get(primaryAlert) : undefined;
  const scrapeMs = clock?.scrape.intervalMs ?? scrapeIntervalOf(prom, rule?.job);
  const evalMs = clock?.evaluation.intervalMs || rule?.groupIntervalMs || prom.evaluationIntervalMs;
  const forMs = evalMs > 0 ? Math.ceil((rule?.forMs ?? 0) / evalMs) * evalMs : (rule?.forMs ?? 0);
  return { scrapeMs, evalMs, forMs, windowMs: rule?.windowMs ?? 0, ...amPart };
}

/**
 * A fault that acts on requests shows in the app's metrics once an affected request has been
 * answered: the first bad sample's own duration (a slow query's wait) is the fault's, not the
 * pipeline's, and both the expectation and the worst case count from the end of it.
 */
function answerMs(marks: Partial<Record<Mark, number>>): number {
  return marks.firstBadSample !== undefined && marks.firstBadAnswered !== undefined
    ? Math.max(0, marks.firstBadAnswered - marks.firstBadSample)
    : 0;
}

/** The config's best case: the fault lands just before a scrape that an evaluation follows at once. */
function minHops(t: PipelineTiming, routing: boolean): PerHop {
  if (routing) return t.groupWaitMs !== undefined ? { notify: t.groupWaitMs } : {};
  return { fire: t.forMs, ...(t.groupWaitMs !== undefined ? { notify: t.forMs + t.groupWaitMs } : {}) };
}

/** The config's worst case: a fault just after a scrape, a scrape just after an evaluation. */
function maxHops(t: PipelineTiming, routing: boolean, answeredAfterMs: number): PerHop {
  if (routing) {
    return {
      ...(t.groupWaitMs !== undefined ? { notify: t.groupWaitMs } : {}),
      ...(t.groupIntervalMs !== undefined ? { resolve_notify: t.groupIntervalMs } : {}),
    };
  }
  const fire = answeredAfterMs + t.scrapeMs + t.evalMs + t.forMs;
  // Resolving waits until the last bad sample has left the rule's window.
  const resolve = t.scrapeMs + t.evalMs + t.windowMs;
  // A group Alertmanager still holds from an earlier firing (it drops empty groups only every
  // ~30 s) has flushed already: a new alert in it waits for its group_interval tick instead.
  const groupDelay = Math.max(t.groupWaitMs ?? 0, t.groupIntervalMs ?? 0);
  return {
    fire,
    resolve,
    ...(t.groupWaitMs !== undefined ? { notify: fire + groupDelay } : {}),
    ...(t.groupIntervalMs !== undefined ? { resolve_notify: resolve + t.groupIntervalMs } : {}),
  };
}

/**
 * What this run's timing made unavoidable, from the grids sampled at injection:
 * - fire: injection (plus the first affected request's own duration) → the target's next scrape
 *   (the first that can see the fault) → the group's next evaluation once that sample is stored
 *   → + `for`; notify adds group_wait. When Alertmanager still holds the alert's group from an
 *   earlier firing (back-to-back drills of one alert), the message waits for that group's
 *   group_interval tick instead, which shows beyond the expectation (within the max);
 * - resolve: counted from the rollback, until the first evaluation at which the rule's
 *   expression no longer held, as read back from Prometheus (`clockAfterDrill`). Without that: for
 *   a rule over a window, until the last scrape before the fault's effect ended (its last affected
 *   request, else the rollback) has left the window; otherwise the evaluation after the next
 *   scrape once the rollback is done; A rule that thresholds an average or a count can drop below
 *   its threshold before its window empties, which shows as a negative share beyond the pipeline;
 * - resolve_notify: + the wait for Alertmanager's next group_interval tick, whose phase the
 *   firing notification set. That phase is locked to the evaluation that fired the alert (a few
 *   ms after it), and a resolved alert reaches Alertmanager a few ms after its own evaluation:
 *   when group_interval is the evaluation interval the two race, and the message goes out on
 *   this tick or the next. The expectation is this tick, so the share beyond it is 0 or one
 *   group_interval, never negative.
 */
function expectedHops(
  t: PipelineTiming,
  routing: boolean,
  marks: Partial<Record<Mark, number>>,
  clock: PipelineClock | undefined,
): PerHop {
  const out: PerHop = {};
  const rolledBack = marks.rolledBack;
  // Alertmanager flushes a group every group_interval after its first notification.
  const notifiedAt = marks.slackPosted ?? marks.webhookReceived;
  const tick = (at: number) =>
    notifiedAt !== undefined && t.groupIntervalMs !== undefined
      ? nextOnGrid(notifiedAt, t.groupIntervalMs, at)
      : at + (t.groupIntervalMs ?? 0);

  if (routing) {
    if (t.groupWaitMs !== undefined) out.notify = t.groupWaitMs;
    // Each injected alert has a group of its own, ticking on its own phase, and the first
    // resolved message may come from any of them: no wait is certain. (The worst case stays one
    // group_interval.)
    if (rolledBack !== undefined && t.groupIntervalMs !== undefined) out.resolve_notify = 0;
    return out;
  }
  if (!clock) return out;
  const { scrape, evaluation } = clock;
  // lastEvaluation is when an evaluation started, late by the scheduler's jitter; an alert's
  // activeAt is the slot itself, so it places the grid exactly once the alert has fired.
  const evalPhase = marks.ruleActive ?? evaluation.atMs;
  const evalAfter = (at: number) => nextOnGrid(evalPhase, t.evalMs, at);
  const injected = marks.injected;
  if (injected !== undefined) {
    const seen = nextOnGrid(scrape.atMs, t.scrapeMs, injected + answerMs(marks)) + scrape.durationMs;
    out.fire = evalAfter(seen) + t.forMs - injected;
    if (t.groupWaitMs !== undefined) out.notify = out.fire + t.groupWaitMs;
  }
  if (rolledBack !== undefined) {
    // Prometheus' own resolving moment when it could be read back; else a model: the fault's
    // effect ends with the last request it affected (or the rollback), then the window empties.
    const stopped = Math.min(marks.lastBadAnswered ?? marks.rollbackStarted ?? rolledBack, rolledBack);
    const goneAt =
      t.windowMs > 0
        ? lastOnGrid(scrape.atMs, t.scrapeMs, stopped) + t.windowMs + 1
        : nextOnGrid(scrape.atMs, t.scrapeMs, rolledBack) + scrape.durationMs;
    const resolvedAt = Math.max(rolledBack, clock.ruleFalseAt ?? evalAfter(goneAt));
    out.resolve = resolvedAt - rolledBack;
    if (t.groupIntervalMs !== undefined) out.resolve_notify = tick(resolvedAt) - rolledBack;
  }
  return out;
}
