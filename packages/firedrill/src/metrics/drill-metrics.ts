import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Result } from '../core/result.ts';

/** Hops recorded as `firedrill_drill_hop_seconds{hop}`: the result metric `hop_ms_<hop>`. */
export const HOPS = ['fire', 'alertmanager', 'notify', 'log', 'resolve', 'resolve_notify'] as const;
/** The values `firedrill_drill_last_result{result}` takes. */
export const DRILL_RESULTS = ['pass', 'fail', 'error'] as const;

// From the fast profile's ~1 s to the default profile's minutes (for: 2m + group_wait 30s).
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600];
const LABELS = ['drill', 'environment'] as const;

type Labels = Record<(typeof LABELS)[number], string>;

/**
 * Drill metrics in an explicit registry (never prom-client's global one). Labels stay few and
 * bounded: drill id, environment and hop.
 * - `lastValues` holds gauges filled from each drill's last Result when read: what a one-shot
 *   `firedrill drill --push` sends, true at every scrape however rarely drills run;
 * - `registry` adds the run counter and the hop histogram, for a long-lived process that
 *   Prometheus scrapes (rates and quantiles over many runs).
 */
export class DrillMetrics {
  readonly registry: Registry;
  readonly lastValues = new Registry();
  readonly hopSeconds: Histogram<'drill' | 'environment' | 'hop'>;
  readonly runs: Counter<'drill' | 'environment' | 'result'>;
  readonly skippedRuns: Counter<'drill' | 'environment'>;
  readonly #last = new Map<string, { result: Result; labels: Labels }>();

  constructor(registry = new Registry()) {
    this.registry = registry;
    const last = this.#last;
    const registers = [registry, this.lastValues];
    const gauge = (
      name: string,
      help: string,
      extra: string[],
      fill: (set: (labels: Record<string, string>, v: number) => void, r: Result, l: Labels) => void,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: [...LABELS, ...extra],
        registers,
        collect() {
          this.reset();
          for (const { result, labels } of last.values()) fill((l, v) => this.set(l, v), result, labels);
        },
      });
    gauge(
      'firedrill_drill_last_result',
      'Result of the last run of the drill: 1 on its result (pass, fail, error), 0 on the others',
      ['result'],
      (set, r, l) => {
        for (const result of DRILL_RESULTS) set({ ...l, result }, r.status === result ? 1 : 0);
      },
    );
    gauge(
      'firedrill_drill_last_run_timestamp_seconds',
      'When the last run of the drill ended',
      [],
      (set, r, l) => set(l, (r.start + r.durationMs) / 1000),
    );
    gauge(
      'firedrill_drill_last_duration_seconds',
      'How long the last run of the drill took',
      [],
      (set, r, l) => set(l, r.durationMs / 1000),
    );
    gauge(
      'firedrill_drill_last_hop_seconds',
      'Each hop of the last run: fault to alert firing, to Alertmanager, to Slack, to logs; rollback to resolved',
      ['hop'],
      (set, r, l) => {
        for (const hop of HOPS) {
          const ms = r.metrics?.[`hop_ms_${hop}`];
          if (ms !== undefined) set({ ...l, hop }, ms / 1000);
        }
      },
    );
    gauge(
      'firedrill_drill_last_hop_expected_seconds',
      "What the live pipeline's intervals made unavoidable for each hop of the last run",
      ['hop'],
      (set, r, l) => {
        for (const hop of HOPS) {
          const ms = r.metrics?.[`pipeline_expected_ms_${hop}`];
          if (ms !== undefined) set({ ...l, hop }, ms / 1000);
        }
      },
    );
    this.hopSeconds = new Histogram({
      name: 'firedrill_drill_hop_seconds',
      help: 'Time each hop of a drill took: fault to alert firing, to Slack, to logs; rollback to resolved',
      labelNames: [...LABELS, 'hop'],
      buckets: BUCKETS,
      registers: [registry],
    });
    this.runs = new Counter({
      name: 'firedrill_drill_runs_total',
      help: 'Drill runs by result',
      labelNames: [...LABELS, 'result'],
      registers: [registry],
    });
    this.skippedRuns = new Counter({
      name: 'firedrill_drill_skipped_runs_total',
      help: 'Scheduled drill runs skipped because a drill was still running',
      labelNames: [...LABELS],
      registers: [registry],
    });
  }

  /** Starts every result's counter at 0, so the first failure is an increase Prometheus sees. */
  describe(drill: string, environment: string): void {
    for (const result of DRILL_RESULTS) this.runs.inc({ drill, environment, result }, 0);
    this.skippedRuns.inc({ drill, environment }, 0);
  }

  skipped(drill: string, environment: string): void {
    this.skippedRuns.inc({ drill, environment });
  }

  observe(result: Result): void {
    const labels: Labels = { drill: result.id, environment: result.environment ?? 'unknown' };
    this.#last.set(`${labels.drill}\0${labels.environment}`, { result, labels });
    this.runs.inc({ ...labels, result: result.status });
    for (const hop of HOPS) {
      const ms = result.metrics?.[`hop_ms_${hop}`];
      if (ms !== undefined) this.hopSeconds.observe({ ...labels, hop }, ms / 1000);
    }
  }
}
