import { parse as parseYaml } from 'yaml';
import { tryParseDuration } from '../core/duration.ts';
import { type HttpClientOptions, HttpStatusError, requestJson } from './http-types.ts';
import type {
  PromAlert,
  PromAlertingRule,
  PromEnvelope,
  PromQueryData,
  PromRuleGroup,
  PromTarget,
} from './prometheus-types.ts';

export type * from './prometheus-types.ts';

/** What the running Prometheus was configured with, as far as drill timing cares. */
export interface PromTimingConfig {
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  /** Per scrape job, where it overrides the global interval. */
  jobScrapeIntervalMs: Record<string, number>;
}

/** The scrape interval of one job: its own where it sets one, else the global one. */
export function scrapeIntervalOf(timing: PromTimingConfig, job: string | undefined): number {
  return (job ? timing.jobScrapeIntervalMs[job] : undefined) ?? timing.scrapeIntervalMs;
}

interface RawPromConfig {
  global?: { scrape_interval?: string; evaluation_interval?: string };
  scrape_configs?: { job_name?: string; scrape_interval?: string }[];
}

// Prometheus' own defaults when the config leaves them out.
const DEFAULT_SCRAPE_MS = 60_000;
const DEFAULT_EVAL_MS = 60_000;

/** Reads the timing that bounds how fast an alert can fire from `/api/v1/status/config`'s YAML. */
export function timingFromConfigYaml(yamlText: string): PromTimingConfig {
  const cfg = (parseYaml(yamlText) ?? {}) as RawPromConfig;
  const scrapeIntervalMs = tryParseDuration(cfg.global?.scrape_interval) ?? DEFAULT_SCRAPE_MS;
  const jobScrapeIntervalMs: Record<string, number> = {};
  for (const job of cfg.scrape_configs ?? []) {
    if (!job.job_name) continue;
    jobScrapeIntervalMs[job.job_name] = tryParseDuration(job.scrape_interval) ?? scrapeIntervalMs;
  }
  return {
    scrapeIntervalMs,
    evaluationIntervalMs: tryParseDuration(cfg.global?.evaluation_interval) ?? DEFAULT_EVAL_MS,
    jobScrapeIntervalMs,
  };
}

/** Prometheus HTTP API v1: the calls drills make, nothing more. */
export class PrometheusClient {
  constructor(readonly opts: HttpClientOptions) {}

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  async #get<T>(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal): Promise<T> {
    let env: PromEnvelope<T>;
    try {
      env = await requestJson<PromEnvelope<T>>(this.opts, path, { query, ...(signal ? { signal } : {}) });
    } catch (err) {
      // Prometheus reports bad PromQL as 400 with its own error envelope: surface its text.
      if (err instanceof HttpStatusError) {
        const parsed = safeJson(err.body) as Partial<PromEnvelope<unknown>> | undefined;
        if (parsed?.error)
          throw new Error(`Prometheus ${path}: ${parsed.errorType ?? 'error'}: ${parsed.error}`);
      }
      throw err;
    }
    if (env.status !== 'success') throw new Error(`Prometheus ${path}: ${env.errorType}: ${env.error}`);
    return env.data;
  }

  /** `/-/ready`: 200 once the TSDB is up and rules are loaded. */
  async ready(signal?: AbortSignal): Promise<boolean> {
    try {
      await requestJson(this.opts, '/-/ready', signal ? { signal } : {});
      return true;
    } catch {
      return false;
    }
  }

  query(expr: string, signal?: AbortSignal): Promise<PromQueryData> {
    return this.#get<PromQueryData>('/api/v1/query', { query: expr }, signal);
  }

  /** First sample of an instant query as a number; `undefined` for an empty vector. */
  async queryNumber(expr: string, signal?: AbortSignal): Promise<number | undefined> {
    const data = await this.query(expr, signal);
    if (data.resultType === 'scalar') return Number(data.result[1]);
    if (data.resultType === 'vector') {
      const first = data.result[0];
      return first ? Number(first.value[1]) : undefined;
    }
    throw new Error(`expected a vector or scalar from ${JSON.stringify(expr)}, got a ${data.resultType}`);
  }

  async ruleGroups(signal?: AbortSignal): Promise<PromRuleGroup[]> {
    return (await this.#get<{ groups: PromRuleGroup[] }>('/api/v1/rules', { type: 'alert' }, signal)).groups;
  }

  /** The alerting rule with this name and the group it belongs to, if loaded. */
  async findAlertRule(
    name: string,
    signal?: AbortSignal,
  ): Promise<{ rule: PromAlertingRule; group: PromRuleGroup } | undefined> {
    for (const group of await this.ruleGroups(signal)) {
      for (const rule of group.rules)
        if (rule.type === 'alerting' && rule.name === name) return { rule, group };
    }
    return undefined;
  }

  /** Every metric name Prometheus holds a series of (`/api/v1/label/__name__/values`). */
  metricNames(signal?: AbortSignal): Promise<string[]> {
    return this.#get<string[]>('/api/v1/label/__name__/values', undefined, signal);
  }

  async alerts(signal?: AbortSignal): Promise<PromAlert[]> {
    return (await this.#get<{ alerts: PromAlert[] }>('/api/v1/alerts', undefined, signal)).alerts;
  }

  /** URLs of the Alertmanagers Prometheus has discovered and sends to. */
  async alertmanagers(signal?: AbortSignal): Promise<{ active: string[]; dropped: string[] }> {
    const data = await this.#get<{
      activeAlertmanagers: { url: string }[];
      droppedAlertmanagers: { url: string }[];
    }>('/api/v1/alertmanagers', undefined, signal);
    return {
      active: data.activeAlertmanagers.map((a) => a.url),
      dropped: data.droppedAlertmanagers.map((a) => a.url),
    };
  }

  async configYaml(signal?: AbortSignal): Promise<string> {
    return (await this.#get<{ yaml: string }>('/api/v1/status/config', undefined, signal)).yaml;
  }

  async timingConfig(signal?: AbortSignal): Promise<PromTimingConfig> {
    return timingFromConfigYaml(await this.configYaml(signal));
  }

  async targets(signal?: AbortSignal): Promise<PromTarget[]> {
    return (await this.#get<{ activeTargets: PromTarget[] }>('/api/v1/targets', { state: 'active' }, signal))
      .activeTargets;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
