import type { Logger } from 'pino';
import type { AlertmanagerClient } from '../clients/alertmanager.ts';
import type { ElasticsearchClient } from '../clients/elasticsearch.ts';
import type { GrafanaClient } from '../clients/grafana.ts';
import type { PrometheusClient } from '../clients/prometheus.ts';
import type { SlackClient } from '../clients/slack.ts';
import type { WebhookReceiver } from '../clients/webhook-receiver.ts';
import type { ConditionResult } from '../core/result.ts';
import type { Timeline } from '../core/timeline.ts';

/** What every verifier of one drill run shares. */
export interface VerifierContext {
  drillId: string;
  runId: string;
  /** Epoch ms the (first) fault was applied; `within` deadlines count from here. */
  injectedAt: number;
  timeline: Timeline;
  logger: Logger;
  prometheus?: PrometheusClient;
  alertmanager?: AlertmanagerClient;
  grafana?: GrafanaClient;
  elasticsearch?: ElasticsearchClient;
  slack?: SlackClient;
  /** Between `conversations.history` calls: short against the local sink, long against real Slack. */
  slackPollMs: number;
  /** Every channel alerts may land in, searched when a message is missing from the expected one. */
  slackChannels: string[];
  /** The push path, when the runner could listen on the stack's webhook port. */
  webhook?: WebhookReceiver;
  /** Request ids the drill (traffic and faults) sent so far; grows while the drill runs. */
  requestIds(): readonly string[];
  /** Project root: log schemas are read from `<root>/config/schemas`. */
  root: string;
  /** Injected alerts carry `drill_id` = the run id; real rules cannot, and are matched by name and time. */
  drillLabel?: string;
}

/** One condition's watcher: `wait` resolves (never rejects) with the condition's result. */
export interface Verifier {
  readonly condition: ConditionResult['condition'];
  wait(deadline: number, signal: AbortSignal): Promise<ConditionResult>;
}

/** The polling step between attempts where nothing pushes: cheap on loopback, and 4–10 per scrape. */
export const POLL_MS = 200;

/** Sleeps until the next poll, or returns false at once when the deadline or the signal ends the wait. */
export async function nextPoll(
  deadline: number,
  signal: AbortSignal,
  intervalMs = POLL_MS,
): Promise<boolean> {
  const wait = Math.min(intervalMs, deadline - Date.now());
  if (wait <= 0 || signal.aborted) return false;
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, wait);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
  return !signal.aborted && Date.now() < deadline;
}

export function pass(
  condition: ConditionResult['condition'],
  satisfiedAt: number,
  actual: unknown,
  message?: string,
): ConditionResult {
  return { condition, status: 'pass', satisfiedAt, actual, ...(message ? { message } : {}) };
}

export function fail(
  condition: ConditionResult['condition'],
  message: string,
  actual?: unknown,
): ConditionResult {
  return { condition, status: 'fail', message, ...(actual !== undefined ? { actual } : {}) };
}

/** The verifier itself broke (a client error that is not the system under test failing). */
export function errored(condition: ConditionResult['condition'], err: unknown): ConditionResult {
  return { condition, status: 'error', message: (err as Error).message ?? String(err) };
}

/** Labels an alert must carry to be this drill's: the name, the given labels, the drill label if any. */
export function alertMatches(
  labels: Record<string, string>,
  alert: string,
  want: Record<string, string> | undefined,
  drillLabel: string | undefined,
): boolean {
  if (labels.alertname !== alert) return false;
  if (drillLabel !== undefined && labels.drill_id !== drillLabel) return false;
  return Object.entries(want ?? {}).every(([k, v]) => labels[k] === v);
}
