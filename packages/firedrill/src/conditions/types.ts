import type { Logger } from 'pino';
import type { AlertmanagerClient } from '../clients/alertmanager.ts';
import type { ElasticsearchClient } from '../clients/elasticsearch.ts';
import type { GrafanaClient } from '../clients/grafana.ts';
import type { PrometheusClient } from '../clients/prometheus.ts';
import type { SlackClient } from '../clients/slack.ts';
import type { WebhookReceiver } from '../clients/webhook-receiver.ts';
import { formatMs } from '../core/duration.ts';
import type { ConditionData, ConditionResult, Lane } from '../core/result.ts';
import type { Timeline } from '../core/timeline.ts';

/** What every verifier of one drill run shares. */
export interface VerifierContext {
  drillId: string;
  runId: string;
  /** Epoch ms the (first) fault was applied; `within` deadlines count from here. */
  injectedAt: number;
  /** Events go on the timeline as they happen; marks are returned in each verdict, never set here. */
  timeline: Pick<Timeline, 'add'>;
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

/**
 * What a verifier found; `settle` adds what the drill planned (condition, hop, deadline).
 * `conclusive`: a failure no wait can undo (the message arrived in the wrong channel, the logs
 * break the schema): the drill stops observing and rolls back at once.
 */
export type Verdict = Pick<ConditionResult, 'status' | 'actual' | 'satisfiedAt' | 'message' | 'marks'> & {
  conclusive?: boolean;
};

/** One condition's watcher: `wait` resolves (never rejects) with its verdict, and the marks it saw. */
export interface Verifier<C extends ConditionData = ConditionData> {
  readonly condition: C;
  /** The hop the condition proves. */
  readonly hop: Lane;
  readonly phase: 'observe' | 'resolve';
  wait(deadline: number, signal: AbortSignal): Promise<Verdict>;
}

/** Waits for a verifier until `from` + its `within`, and returns the whole, typed result. */
export async function settle<C extends ConditionData>(
  v: Verifier<C>,
  from: number,
  signal: AbortSignal,
  /** Aborted when another condition failed conclusively: this one is then not awaited. */
  stop?: AbortSignal,
): Promise<ConditionResult<C> & { conclusive?: boolean }> {
  const withinMs = v.condition.within;
  const deadline = from + withinMs;
  const both = stop ? AbortSignal.any([signal, stop]) : signal;
  let verdict = await v.wait(deadline, both);
  // A wait cut short decided nothing: say why it ended, never "not within" after a second.
  if (verdict.status !== 'pass' && !verdict.conclusive && both.aborted && Date.now() < deadline) {
    const after = formatMs(Math.max(0, Date.now() - from));
    verdict = signal.aborted
      ? { status: 'error', message: `interrupted ${after} in, before it was decided (${reasonOf(signal)})` }
      : { status: 'skipped', message: `not awaited: ${reasonOf(stop!)}` };
  }
  return { condition: v.condition, hop: v.hop, phase: v.phase, withinMs, deadline, ...verdict };
}

function reasonOf(signal: AbortSignal): string {
  const r = signal.reason as unknown;
  return r instanceof Error ? r.message : String(r ?? 'aborted');
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

type Marks = ConditionResult['marks'];

const withMarks = (marks: Marks) => (marks && Object.keys(marks).length ? { marks } : {});

export function pass(satisfiedAt: number, actual: unknown, message?: string, marks?: Marks): Verdict {
  return { status: 'pass', satisfiedAt, actual, ...(message ? { message } : {}), ...withMarks(marks) };
}

export function fail(message: string, actual?: unknown, marks?: Marks): Verdict {
  return { status: 'fail', message, ...(actual !== undefined ? { actual } : {}), ...withMarks(marks) };
}

/** A failure that waiting longer cannot turn into a pass: ends the observe phase at once. */
export function conclusiveFail(message: string, actual?: unknown, marks?: Marks): Verdict {
  return { ...fail(message, actual, marks), conclusive: true };
}

/** The verifier itself broke (a client error that is not the system under test failing). */
export function errored(err: unknown): Verdict {
  return { status: 'error', message: (err as Error).message ?? String(err) };
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
