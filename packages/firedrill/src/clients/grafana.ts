import { AlertmanagerClient } from './alertmanager.ts';
import type { AmAlert } from './alertmanager-types.ts';
import type {
  GrafanaReceiversTestBody,
  GrafanaReceiversTestResult,
  GrafanaRuleGroup,
  GrafanaRulesResponse,
} from './grafana-types.ts';
import { type HttpClientOptions, requestJson } from './http-types.ts';

export type * from './grafana-types.ts';

/** firedrill's alert states; Grafana's five words map onto them. */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'nodata' | 'error';

/**
 * Grafana instance states (`Alerting`, `Normal (MissingSeries)`, `Recovering`, …) as firedrill's.
 * A reason in parentheses is dropped: `Alerting (Error)` is still alerting (exec error state set
 * to Alerting). `Recovering` (Grafana 11+, keep_firing_for) still notifies as firing.
 */
export function grafanaState(state: string): AlertState {
  const word = state
    .replace(/\s*\(.*\)\s*$/, '')
    .trim()
    .toLowerCase();
  switch (word) {
    case 'alerting':
    case 'firing':
    case 'recovering':
      return 'firing';
    case 'pending':
      return 'pending';
    case 'nodata':
      return 'nodata';
    case 'error':
      return 'error';
    default:
      return 'inactive';
  }
}

export interface GrafanaAlertInstance {
  rule: string;
  folder: string;
  group: string;
  labels: Record<string, string>;
  state: AlertState;
  /** Grafana's word as sent. */
  rawState: string;
  activeAt?: string;
  value: string;
}

/** Grafana's alerting API, usually with a service-account token as bearer auth. */
export class GrafanaClient {
  readonly alertmanager: AlertmanagerClient;

  constructor(readonly opts: HttpClientOptions) {
    this.alertmanager = new AlertmanagerClient(opts, '/api/alertmanager/grafana/api/v2');
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  async ruleGroups(signal?: AbortSignal): Promise<GrafanaRuleGroup[]> {
    const res = await requestJson<GrafanaRulesResponse>(this.opts, '/api/prometheus/grafana/api/v1/rules', {
      ...(signal ? { signal } : {}),
    });
    if (res.status !== 'success') throw new Error(`Grafana rules: ${res.errorType}: ${res.error}`);
    return res.data.groups;
  }

  /** Every instance of the Grafana-managed rule titled `rule`, with firedrill's state words. */
  async instances(rule: string, signal?: AbortSignal): Promise<GrafanaAlertInstance[]> {
    const out: GrafanaAlertInstance[] = [];
    for (const group of await this.ruleGroups(signal)) {
      for (const r of group.rules) {
        if (r.name !== rule || r.type !== 'alerting') continue;
        for (const a of r.alerts ?? []) {
          out.push({
            rule: r.name,
            folder: group.file,
            group: group.name,
            labels: a.labels,
            state: grafanaState(a.state),
            rawState: a.state,
            ...(a.activeAt ? { activeAt: a.activeAt } : {}),
            value: a.value,
          });
        }
      }
    }
    return out;
  }

  /** Whether a Grafana-managed alert rule with this title exists, and its state. */
  async findRule(
    rule: string,
    signal?: AbortSignal,
  ): Promise<{ group: GrafanaRuleGroup; state: string } | undefined> {
    for (const group of await this.ruleGroups(signal)) {
      const r = group.rules.find((x) => x.name === rule && x.type === 'alerting');
      if (r) return { group, state: r.state };
    }
    return undefined;
  }

  /** Alerts in Grafana's own Alertmanager (same shape as Alertmanager's v2 API). */
  alerts(filter: string[] = [], signal?: AbortSignal): Promise<AmAlert[]> {
    return this.alertmanager.alerts({ filter, active: true }, signal);
  }

  /**
   * Sends a test notification through receivers. Grafana's Alertmanager takes no injected alerts,
   * so this is how a routing-only drill reaches Slack through Grafana.
   */
  async testReceivers(
    body: GrafanaReceiversTestBody,
    signal?: AbortSignal,
  ): Promise<GrafanaReceiversTestResult> {
    // 207 (some receivers failed) is a 2xx: the body says which, and is returned as is.
    return requestJson<GrafanaReceiversTestResult>(
      this.opts,
      '/api/alertmanager/grafana/config/api/v1/receivers/test',
      {
        method: 'POST',
        body,
        ...(signal ? { signal } : {}),
      },
    );
  }
}
