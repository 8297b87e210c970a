import type { PreflightInfo } from './preflight.ts';
import type { Mark } from './timeline.ts';

/**
 * Hop latencies of one drill, in ms, as `result.metrics` carries them:
 * - `hop_ms_fire`: fault injected → the alert firing (Prometheus' own firing moment);
 * - `hop_ms_alertmanager`: fault injected → Alertmanager's webhook arrived (push path);
 * - `hop_ms_notify`: fault injected → the Slack message posted (the sink's or Slack's `ts`);
 * - `hop_ms_log`: fault injected → the first log entry of the drill's requests found;
 * - `hop_ms_resolve`: rollback → the alert resolved; `hop_ms_resolve_notify`: → the resolved message;
 * - `own_ms_notify`: webhook received → Slack message seen: firedrill's own share of time to notify;
 * - `pipeline_min_ms_<hop>`: what the live config alone costs (scrape + evaluation interval + `for`
 *   + `group_wait`; `group_interval` for resolved notifications, which Alertmanager sends on that tick);
 * - `rule_eval_offset_ms`: the rule group's evaluation slot after the app's scrape, within one interval.
 */
export function hopMetrics(
  marks: Partial<Record<Mark, number>>,
  info: PreflightInfo | undefined,
  primaryAlert: string | undefined,
  routing: boolean,
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

  const prom = info?.promTiming;
  const rule = primaryAlert ? info?.rules.get(primaryAlert) : undefined;
  const am = info?.amTiming;
  if (prom && !routing) {
    const evalMs = rule?.groupIntervalMs || prom.evaluationIntervalMs;
    const fire = prom.scrapeIntervalMs + evalMs + (rule?.forMs ?? 0);
    m.pipeline_min_ms_fire = fire;
    if (am) m.pipeline_min_ms_notify = fire + am.groupWaitMs;
    m.pipeline_min_ms_resolve = prom.scrapeIntervalMs + evalMs;
    if (am) m.pipeline_min_ms_resolve_notify = prom.scrapeIntervalMs + evalMs + am.groupIntervalMs;
  } else if (routing && am) {
    m.pipeline_min_ms_notify = am.groupWaitMs;
    m.pipeline_min_ms_resolve_notify = am.groupIntervalMs;
  }
  if (info?.evalOffsetMs !== undefined) m.rule_eval_offset_ms = info.evalOffsetMs;
  if (m.hop_ms_notify !== undefined && m.pipeline_min_ms_notify !== undefined) {
    m.beyond_pipeline_ms_notify = m.hop_ms_notify - m.pipeline_min_ms_notify;
  }
  return m;
}
