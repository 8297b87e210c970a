import type { Duration } from '../core/duration.ts';

/**
 * Conditions are plain data built by small functions, so a drill file stays declarative, the
 * loader can validate it, and every condition's result can repeat it verbatim.
 */

/** Where an alert's state is read. */
export type AlertSource = 'prometheus' | 'alertmanager' | 'grafana';

export interface AlertFiresCondition {
  type: 'alertFires';
  /** The alert rule's name (`alertname` label). */
  alert: string;
  /** Labels the firing alert must carry, exactly. @example { severity: 'critical' } */
  labels?: Record<string, string>;
  /**
   * Which system must report the alert firing. `alertmanager` is satisfied by the push webhook
   * the moment Alertmanager sends it (or by polling its API when no push is possible).
   * @defaultValue 'prometheus'
   */
  source?: AlertSource;
  /** Deadline, counted from the moment the fault was injected. */
  within: Duration;
}

export interface SlackMessageCondition {
  type: 'slackMessage';
  /** Channel the notification must land in. @example '#alerts-critical' */
  channel: string;
  /** Alert the message is about. @defaultValue the alert of the drill's first `alertFires` */
  alert?: string;
  /** Text the message (title, text or attachment fields) must contain. */
  contains?: string;
  /** Deadline, counted from the moment the fault was injected. */
  within: Duration;
}

export interface NoSlackMessageCondition {
  type: 'noSlackMessage';
  /** Channel that must stay quiet about this drill's alert. */
  channel: string;
  /** Alert that must not appear. @defaultValue the alert of the drill's first `alertFires` */
  alert?: string;
  /** How long to keep watching; the condition passes when this passes quietly. */
  within: Duration;
}

export type LogMatchValue = string | number | boolean;

export interface LogsArriveCondition {
  type: 'logsArrive';
  /** Index pattern to search. @defaultValue 'app-logs-*' */
  index?: string;
  /** Name of a JSON Schema in `config/schemas/` (`backend` → `backend.schema.json`) every entry must pass. */
  schema?: string;
  /**
   * Field values that further narrow the entries, on top of the drill's own request ids.
   * @example { event: 'http_request', status_code: 500 }
   */
  match?: Record<string, LogMatchValue>;
  /** How many matching entries must arrive. @defaultValue 1 */
  minEntries?: number;
  /** Deadline, counted from the moment the fault was injected. */
  within: Duration;
}

export type PromqlOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface PromqlCondition {
  type: 'promql';
  /** An instant-query expression; its first sample (or scalar) is compared. */
  expr: string;
  op: PromqlOp;
  value: number;
  /** Deadline, counted from the moment the fault was injected. */
  within: Duration;
}

export type Condition =
  | AlertFiresCondition
  | SlackMessageCondition
  | NoSlackMessageCondition
  | LogsArriveCondition
  | PromqlCondition;

type Opts<C extends Condition, K extends keyof C> = Omit<C, 'type' | K>;

/**
 * The alert must fire within the deadline.
 * @example alertFires('HighApiErrorRate', { labels: { severity: 'critical' }, within: '30s' })
 */
export function alertFires(alert: string, opts: Opts<AlertFiresCondition, 'alert'>): AlertFiresCondition {
  return { type: 'alertFires', alert, ...opts };
}

/**
 * A notification about the drill's alert must land in `channel` within the deadline.
 * @example slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' })
 */
export function slackMessage(opts: Opts<SlackMessageCondition, never>): SlackMessageCondition {
  return { type: 'slackMessage', ...opts };
}

/**
 * No notification about the drill's alert may land in `channel` while watching; for routing checks.
 * @example noSlackMessage({ channel: '#alerts-warning', within: '5s' })
 */
export function noSlackMessage(opts: Opts<NoSlackMessageCondition, never>): NoSlackMessageCondition {
  return { type: 'noSlackMessage', ...opts };
}

/**
 * The log entries caused by the drill's own requests must reach the log store and pass the schema.
 * @example logsArrive({ index: 'app-logs-*', schema: 'backend', match: { status_code: 500 }, within: '20s' })
 */
export function logsArrive(opts: Opts<LogsArriveCondition, never>): LogsArriveCondition {
  return { type: 'logsArrive', ...opts };
}

/**
 * A PromQL expression must hold (`value op threshold`) at some point before the deadline.
 * @example promql('sum(rate(http_requests_total{status_code=~"5.."}[30s]))', { op: '>', value: 0, within: '20s' })
 */
export function promql(expr: string, opts: Opts<PromqlCondition, 'expr'>): PromqlCondition {
  return { type: 'promql', expr, ...opts };
}

/** The alert named by a drill's first `alertFires`, which Slack conditions default to. */
export function primaryAlert(conditions: readonly Condition[]): string | undefined {
  return conditions.find((c): c is AlertFiresCondition => c.type === 'alertFires')?.alert;
}
