import type { PromAlertingRule, PromEnvelope } from './prometheus-types.ts';

/**
 * Grafana-managed alerting as its HTTP API serves it (pkg/services/ngalert/api/tooling/definitions
 * in Grafana's source): the Prometheus rules shape under `/api/prometheus/grafana/api/v1/rules`,
 * with Grafana's own words in it, and the Alertmanager v2 shape under
 * `/api/alertmanager/grafana/api/v2/*`.
 */

/** A rule as Grafana lists it: Prometheus' fields plus `totals`; `state` firing/pending/inactive. */
export interface GrafanaRule
  extends Omit<PromAlertingRule, 'alerts' | 'labels' | 'annotations' | 'duration'> {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  duration?: number;
  /** Instance states are Grafana's: `Normal`, `Pending`, `Alerting`, `NoData`, `Error`, optionally `(reason)`. */
  alerts?: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    state: string;
    activeAt?: string;
    value: string;
  }[];
  totals?: Record<string, number>;
}

export interface GrafanaRuleGroup {
  name: string;
  /** The folder's title. */
  file: string;
  rules: GrafanaRule[];
  totals?: Record<string, number>;
  interval: number;
  lastEvaluation?: string;
  evaluationTime?: number;
}

export type GrafanaRulesResponse = PromEnvelope<{
  groups: GrafanaRuleGroup[];
  totals?: Record<string, number>;
}>;

/** Body of `POST /api/alertmanager/grafana/config/api/v1/receivers/test`. */
export interface GrafanaReceiversTestBody {
  alert?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  receivers: {
    name: string;
    grafana_managed_receiver_configs: {
      uid?: string;
      name: string;
      type: string;
      disableResolveMessage?: boolean;
      settings: Record<string, unknown>;
      secureSettings?: Record<string, string>;
    }[];
  }[];
}

/** Answer of the receivers test (200 all ok, 207 some failed). */
export interface GrafanaReceiversTestResult {
  alert: { labels?: Record<string, string>; annotations?: Record<string, string> };
  receivers: {
    name: string;
    grafana_managed_receiver_configs: { name: string; uid: string; status: string; error?: string }[];
  }[];
  notified_at: string;
}
