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
/** Grafana Synthetic Monitoring's vitals. Result.metrics has them in ms (CLS unitless); series are in seconds. */
export const WEB_VITALS = ['lcp', 'fcp', 'cls', 'inp', 'ttfb'] as const;
/** `probe_browser_web_vital_lcp_seconds`, …; CLS has no unit and keeps the bare name. */
export function webVitalMetric(vital: (typeof WEB_VITALS)[number]): string {
  return vital === 'cls' ? 'probe_browser_web_vital_cls' : `probe_browser_web_vital_${vital}_seconds`;
}
/** The values `firedrill_probe_last_result{result}` takes, one series each, the last run's at 1. */
export const PROBE_RESULTS = ['pass', 'flaky', 'fail', 'error'] as const;
/** The job label of pushed series: apart from the scheduler's scraped `job="firedrill"`. */
export const PUSH_JOB = 'firedrill-push';
/** Result.metrics keys with a metric of their own; every other key is a probe's `recordMetric`. */
const OWN_KEYS = /^(http_|ssl_|web_vital_|faro_|frontend_errors$)/;
/** From a 5 ms API step to a 60 s browser flow. */
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Lateness is milliseconds when healthy; the upper buckets catch a starved event loop. */
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5];

type Labels = Record<string, string>;
interface Last {
  result: Result;
  labels: Labels;
}
/** Sets one last-value gauge from the last Result of each probe. */
type Fill = (set: (labels: Labels, value: number) => void, last: Last) => void;

/**
 * Every metric firedrill derives from probe Results, on an explicit registry (never the global
 * one). Last-value gauges (blackbox_exporter's `probe_*`) are filled from each probe's last
 * Result when scraped, not per run: a run then costs two counter/histogram updates instead of
 * a dozen label lookups, and a step that disappeared leaves no stale series. Counters and
 * histograms accumulate per run for rates and quantiles.
 */
export class ProbeMetrics {
  /** Everything: what the scheduler's `/metrics` serves. */
  readonly registry: Registry;
  /**
   * The last-run gauges only: what a one-shot run pushes. A pushed counter would restart at 1
   * with every push (so `increase()` over three failing CI runs reads 0) and a pushed histogram
   * would hold one run; a last-value gauge is true whenever Prometheus scrapes it.
   */
  readonly lastValues: Registry;
  readonly #kinds = new Map<string, ProbeKind>();
  readonly #last = new Map<string, Last>();
  readonly #info: Gauge<string>;
  readonly #stepDuration: Histogram<string>;
  readonly #runs: Counter<string>;
  readonly #skipped: Counter<string>;
  readonly #frontendErrors: Counter<string>;
  readonly #lateness: Histogram<string>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.lastValues = new Registry();
    const registers = [registry];
    const lastRegisters = [registry, this.lastValues];
    const last = this.#last;
    const gauge = (name: string, help: string, extra: string[], fill: Fill) =>
      new Gauge({
        name,
        help,
        labelNames: [...BASE, ...extra],
        registers: lastRegisters,
        collect() {
          this.reset();
          for (const l of last.values()) fill((labels, value) => this.set(labels, value), l);
        },
      });
    gauge('probe_success', 'Displays whether or not the probe was a success', [], (set, { result, labels }) =>
      set(labels, result.status === 'pass' ? 1 : 0),
    );
    gauge('probe_duration_seconds', 'Returns how long the probe took to complete in seconds', [], (set, l) =>
      set(l.labels, l.result.durationMs / 1000),
    );
    gauge(
      'probe_http_duration_seconds',
      'Duration of http request by phase, summed over all redirects and all requests of the step',
      ['step', 'phase'],
      (set, { result, labels }) => {
        for (const s of result.steps) {
          if (!s.timings?.http_requests) continue;
          for (const phase of PHASES) set({ ...labels, step: s.name, phase }, (s.timings[phase] ?? 0) / 1000);
        }
      },
    );
    gauge(
      'probe_http_status_code',
      'Response HTTP status code of the last request of the step',
      ['step'],
      (set, l) => {
        for (const s of l.result.steps) {
          const code = s.timings?.http_status_code;
          if (code !== undefined) set({ ...l.labels, step: s.name }, code);
        }
      },
    );
    gauge(
      'probe_ssl_earliest_cert_expiry',
      'Returns last SSL chain expiry in unixtime (earliest over the HTTPS requests of the run)',
      [],
      (set, l) => {
        const v = l.result.metrics?.ssl_earliest_cert_expiry;
        if (v !== undefined) set(l.labels, v);
      },
    );
    for (const v of WEB_VITALS) {
      gauge(webVitalMetric(v), `Web vital ${v.toUpperCase()} of the last browser run`, [], (set, l) => {
        const value = l.result.metrics?.[`web_vital_${v}`];
        if (value !== undefined) set(l.labels, v === 'cls' ? value : value / 1000);
      });
    }
    gauge(
      'firedrill_probe_last_result',
      'Result of the last run: 1 on its result (pass, flaky, fail, error), 0 on the others',
      ['result'],
      (set, l) => {
        const now = resultLabel(l.result);
        for (const r of PROBE_RESULTS) set({ ...l.labels, result: r }, r === now ? 1 : 0);
      },
    );
    gauge(
      'firedrill_step_last_duration_seconds',
      'Duration of each step of the last run',
      ['step'],
      (set, l) => {
        for (const s of l.result.steps) set({ ...l.labels, step: s.name }, s.durationMs / 1000);
      },
    );
    gauge(
      'firedrill_probe_last_run_timestamp_seconds',
      'When the last run of the probe ended',
      [],
      (set, l) => set(l.labels, (l.result.start + l.result.durationMs) / 1000),
    );
    gauge(
      'firedrill_probe_recorded_value',
      'Numbers a probe recorded with recordMetric',
      ['name'],
      (set, l) => {
        for (const [name, value] of Object.entries(l.result.metrics ?? {})) {
          if (!OWN_KEYS.test(name) && Number.isFinite(value)) set({ ...l.labels, name }, value);
        }
      },
    );
    this.#info = new Gauge({
      name: 'firedrill_probe_info',
      help: 'One series per probe with its kind, schedule and location; always 1',
      labelNames: ['probe', 'kind', 'schedule', 'location'],
      registers: lastRegisters,
    });
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

  /** Publishes the info series and remembers the kind, for Results written before they carried `probeKind`. */
  describe(info: ProbeInfo): void {
    this.#kinds.set(info.id, info.kind);
    this.#info.set(
      { probe: info.id, kind: info.kind, schedule: info.schedule ?? '', location: info.location },
      1,
    );
    // Every result at 0 from the start: a series born at 1 is one `increase()` never counts.
    const labels = { probe: info.id, kind: info.kind, location: info.location };
    for (const result of PROBE_RESULTS) this.#runs.inc({ ...labels, result }, 0);
  }

  observe(result: Result, kind?: ProbeKind): void {
    const labels: Labels = {
      probe: result.id,
      kind: kind ?? result.probeKind ?? this.#kinds.get(result.id) ?? result.kind,
      location: result.location ?? 'unknown',
    };
    this.#last.set(`${labels.probe}\0${labels.location}`, { result, labels });
    this.#runs.inc({ ...labels, result: resultLabel(result) });
    for (const step of result.steps)
      this.#stepDuration.observe({ ...labels, step: step.name }, step.durationMs / 1000);
    const errors = result.metrics?.frontend_errors;
    if (errors) this.#frontendErrors.inc(labels, errors);
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

function resultLabel(result: Result): string {
  return result.status === 'pass' && result.flaky ? 'flaky' : result.status;
}
