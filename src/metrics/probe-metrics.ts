import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Result } from '../core/result.ts';
import type { ProbeKind } from '../probes/define.ts';

/** What the info metric says about a probe, like Synthetic Monitoring's `sm_check_info`. */
export interface ProbeInfo {
  id: string;
  kind: ProbeKind;
  schedule?: string | undefined;
  location: string;
}

const BASE = ['probe', 'kind', 'location'] as const;
const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
/** Grafana Synthetic Monitoring's names; values as k6 reports them (ms, CLS unitless). */
export const WEB_VITALS = ['lcp', 'fcp', 'cls', 'inp', 'ttfb'] as const;
/** Result.metrics keys with a metric of their own; every other key is a probe's `recordMetric`. */
const OWN_KEYS = /^(http_|ssl_|web_vital_|faro_|frontend_errors$)/;
/** From a 5 ms API step to a 60 s browser flow. */
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Lateness is milliseconds when healthy; the upper buckets catch a starved event loop. */
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5];

type Base = { probe: string; kind: string; location: string };
type VitalGauges = Record<(typeof WEB_VITALS)[number], Gauge<string>>;

/**
 * Every metric firedrill derives from probe Results, on an explicit registry (never the global
 * one). Gauges hold the last run, as blackbox_exporter's do per scrape; counters and histograms
 * accumulate for rates and quantiles.
 */
export class ProbeMetrics {
  readonly registry: Registry;
  readonly #kinds = new Map<string, ProbeKind>();
  readonly #success: Gauge<string>;
  readonly #duration: Gauge<string>;
  readonly #httpPhase: Gauge<string>;
  readonly #httpStatus: Gauge<string>;
  readonly #certExpiry: Gauge<string>;
  readonly #vitals: VitalGauges;
  readonly #info: Gauge<string>;
  readonly #lastRun: Gauge<string>;
  readonly #recorded: Gauge<string>;
  readonly #stepDuration: Histogram<string>;
  readonly #runs: Counter<string>;
  readonly #skipped: Counter<string>;
  readonly #frontendErrors: Counter<string>;
  readonly #lateness: Histogram<string>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const gauge = (name: string, help: string, extra: string[] = []) =>
      new Gauge({ name, help, labelNames: [...BASE, ...extra], registers });
    this.#success = gauge('probe_success', 'Displays whether or not the probe was a success');
    this.#duration = gauge(
      'probe_duration_seconds',
      'Returns how long the probe took to complete in seconds',
    );
    this.#httpPhase = gauge(
      'probe_http_duration_seconds',
      'Duration of http request by phase, summed over all redirects and all requests of the step',
      ['step', 'phase'],
    );
    this.#httpStatus = gauge(
      'probe_http_status_code',
      'Response HTTP status code of the last request of the step',
      ['step'],
    );
    this.#certExpiry = gauge(
      'probe_ssl_earliest_cert_expiry',
      'Returns last SSL chain expiry in unixtime (earliest over the HTTPS requests of the run)',
    );
    this.#vitals = Object.fromEntries(
      WEB_VITALS.map((v) => [
        v,
        gauge(
          `probe_browser_web_vital_${v}`,
          `Web vital ${v.toUpperCase()} of the last run${v === 'cls' ? '' : ' (ms)'}`,
        ),
      ]),
    ) as VitalGauges;
    this.#info = new Gauge({
      name: 'firedrill_probe_info',
      help: 'One series per probe with its kind, schedule and location; always 1',
      labelNames: ['probe', 'kind', 'schedule', 'location'],
      registers,
    });
    this.#lastRun = gauge(
      'firedrill_probe_last_run_timestamp_seconds',
      'When the last run of the probe ended',
    );
    this.#recorded = gauge('firedrill_probe_recorded_value', 'Numbers a probe recorded with recordMetric', [
      'name',
    ]);
    this.#stepDuration = new Histogram({
      name: 'firedrill_step_duration_seconds',
      help: 'Duration of each probe step',
      labelNames: [...BASE, 'step'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.#runs = new Counter({
      name: 'firedrill_runs_total',
      help: 'Probe runs by result; a pass after a retry counts as flaky, not pass',
      labelNames: [...BASE, 'result'],
      registers,
    });
    this.#skipped = new Counter({
      name: 'firedrill_skipped_runs_total',
      help: 'Scheduled runs skipped because the previous run of the probe was still going',
      labelNames: [...BASE],
      registers,
    });
    this.#frontendErrors = new Counter({
      name: 'firedrill_browser_frontend_errors_total',
      help: 'Uncaught page errors and Faro exceptions seen during browser runs',
      labelNames: [...BASE],
      registers,
    });
    this.#lateness = new Histogram({
      name: 'firedrill_schedule_lateness_seconds',
      help: 'How late a scheduled run started after its cron time',
      labelNames: ['location'],
      buckets: LATENESS_BUCKETS,
      registers,
    });
  }

  /** Publishes the info series and remembers the kind, which a Result does not carry. */
  describe(info: ProbeInfo): void {
    this.#kinds.set(info.id, info.kind);
    this.#info.set(
      { probe: info.id, kind: info.kind, schedule: info.schedule ?? '', location: info.location },
      1,
    );
  }

  observe(result: Result, kind?: ProbeKind): void {
    const base: Base = {
      probe: result.id,
      kind: kind ?? this.#kinds.get(result.id) ?? result.kind,
      location: result.location ?? 'unknown',
    };
    const m = result.metrics ?? {};
    this.#success.set(base, result.status === 'pass' ? 1 : 0);
    this.#duration.set(base, result.durationMs / 1000);
    this.#lastRun.set(base, (result.start + result.durationMs) / 1000);
    this.#runs.inc({ ...base, result: result.status === 'pass' && result.flaky ? 'flaky' : result.status });
    for (const step of result.steps) {
      this.#stepDuration.observe({ ...base, step: step.name }, step.durationMs / 1000);
      const t = step.timings;
      if (!t?.http_requests) continue;
      for (const phase of PHASES)
        this.#httpPhase.set({ ...base, step: step.name, phase }, (t[phase] ?? 0) / 1000);
      if (t.http_status_code !== undefined)
        this.#httpStatus.set({ ...base, step: step.name }, t.http_status_code);
    }
    if (m.ssl_earliest_cert_expiry !== undefined) this.#certExpiry.set(base, m.ssl_earliest_cert_expiry);
    for (const v of WEB_VITALS) {
      const value = m[`web_vital_${v}`];
      if (value !== undefined) this.#vitals[v].set(base, value);
    }
    if (m.frontend_errors) this.#frontendErrors.inc(base, m.frontend_errors);
    for (const [name, value] of Object.entries(m)) {
      if (!OWN_KEYS.test(name) && Number.isFinite(value)) this.#recorded.set({ ...base, name }, value);
    }
  }

  /** An overlapping tick that did not start a run. */
  skipped(probe: { id: string; kind: ProbeKind }, location: string): void {
    this.#skipped.inc({ probe: probe.id, kind: probe.kind, location });
  }

  lateness(location: string, seconds: number): void {
    this.#lateness.observe({ location }, Math.max(0, seconds));
  }

  /** Prometheus text exposition of everything above. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }
}
