/**
 * Prometheus HTTP API v1 response shapes, as 2.x serves them and as Grafana repeats them
 * under `/api/prometheus/grafana/api/v1/*` (Grafana adds its own state words, see grafana.ts).
 */

export interface PromEnvelope<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export type PromSample = [number, string];

export type PromQueryData =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: PromSample }[] }
  | { resultType: 'matrix'; result: { metric: Record<string, string>; values: PromSample[] }[] }
  | { resultType: 'scalar'; result: PromSample }
  | { resultType: 'string'; result: PromSample };

/** Alert state words: Prometheus says inactive/pending/firing; Grafana adds more (see grafana.ts). */
export type PromAlertState = 'inactive' | 'pending' | 'firing';

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  /** RFC 3339; when the rule first saw this series true. Absent for inactive alerts in some versions. */
  activeAt?: string;
  value: string;
}

export interface PromAlertingRule {
  type: 'alerting';
  name: string;
  query: string;
  /** `for`, in seconds. */
  duration: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  alerts: PromAlert[];
  state: string;
  health: string;
  lastError?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
}

export interface PromRecordingRule {
  type: 'recording';
  name: string;
  query: string;
  labels?: Record<string, string>;
  health: string;
  lastError?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
}

export type PromRule = PromAlertingRule | PromRecordingRule;

export interface PromRuleGroup {
  name: string;
  file: string;
  rules: PromRule[];
  /** Seconds. */
  interval: number;
  evaluationTime?: number;
  lastEvaluation?: string;
}

export interface PromTarget {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  /** Go duration text (`1s`); present since 2.30. */
  scrapeInterval?: string;
}
