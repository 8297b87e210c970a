import { Counter, Histogram, Registry } from 'prom-client';
import type { Result } from '../core/result.ts';

/** Hops recorded as `firedrill_drill_hop_seconds{hop}`: the result metric `hop_ms_<hop>`. */
export const HOPS = ['fire', 'alertmanager', 'notify', 'log', 'resolve', 'resolve_notify'] as const;

// From the fast profile's ~1 s to the default profile's minutes (for: 2m + group_wait 30s).
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600];

/**
 * Drill metrics in an explicit registry (never prom-client's global one), for the scheduler's
 * `/metrics` or a Pushgateway push to merge in. Labels stay few and bounded: drill id and hop.
 */
export class DrillMetrics {
  readonly registry: Registry;
  readonly hopSeconds: Histogram<'drill' | 'hop'>;
  readonly runs: Counter<'drill' | 'result'>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.hopSeconds = new Histogram({
      name: 'firedrill_drill_hop_seconds',
      help: 'Time each hop of a drill took: fault to alert firing, to Slack, to logs; rollback to resolved',
      labelNames: ['drill', 'hop'],
      buckets: BUCKETS,
      registers: [registry],
    });
    this.runs = new Counter({
      name: 'firedrill_drill_runs_total',
      help: 'Drill runs by outcome',
      labelNames: ['drill', 'result'],
      registers: [registry],
    });
  }

  observe(result: Result): void {
    this.runs.inc({ drill: result.id, result: result.status });
    for (const hop of HOPS) {
      const ms = result.metrics?.[`hop_ms_${hop}`];
      if (ms !== undefined) this.hopSeconds.observe({ drill: result.id, hop }, ms / 1000);
    }
  }
}
