import { Registry } from 'prom-client';
import type { Result } from '../core/result.ts';
import { DrillMetrics } from '../metrics/drill-metrics.ts';
import { type ProbeInfo, ProbeMetrics } from '../metrics/probe-metrics.ts';
import { type PushOptions, pushResults } from '../metrics/pushgateway.ts';
import type { ReporterDefinition } from '../reporting/definition.ts';
import { writeReportFile } from '../reporting/files.ts';
import type { Reporter } from '../reporting/reporter.ts';

export interface MetricsReporterOptions {
  /** Shared with a scheduler's `/metrics`; a fresh registry when omitted. */
  metrics?: ProbeMetrics;
  /** Written at the end in Prometheus text format, e.g. for node_exporter's textfile collector. */
  path?: string;
  /** Probes of the run, for the info series and the `kind` label a Result does not carry. */
  probes?: readonly ProbeInfo[];
}

/**
 * Turns probe and drill Results into Prometheus series (blackbox_exporter and Synthetic
 * Monitoring names, plus firedrill's own). It only reads Results; pushing is a separate,
 * explicit call so the CLI can fail a run whose metrics never arrived.
 */
export class MetricsReporter implements Reporter {
  readonly metrics: ProbeMetrics;
  readonly drills = new DrillMetrics();
  readonly #path: string | undefined;
  readonly #probes: readonly ProbeInfo[];
  readonly #results: Result[] = [];

  constructor(opts: MetricsReporterOptions = {}) {
    this.metrics = opts.metrics ?? new ProbeMetrics();
    this.#path = opts.path;
    this.#probes = opts.probes ?? [];
    for (const p of this.#probes) this.metrics.describe(p);
  }

  onResult(result: Result): void {
    if (result.kind === 'probe') this.metrics.observe(result);
    else if (result.kind === 'drill') this.drills.observe(result);
    else return;
    this.#results.push(result);
  }

  /** The file holds what a textfile collector should publish: the last-run gauges, like a push. */
  async onEnd(): Promise<void> {
    if (!this.#path) return;
    const text = await Registry.merge([this.metrics.lastValues, this.drills.lastValues]).metrics();
    await writeReportFile(this.#path, text);
  }

  /**
   * PUTs each Result's last-run gauges to its own Pushgateway group (see `pushResults`);
   * resolves to the URLs pushed to.
   */
  push(opts: PushOptions): Promise<string[]> {
    return pushResults(this.#results, { ...opts, probes: this.#probes });
  }
}

export const metricsReporter: ReporterDefinition = {
  name: 'metrics',
  description:
    'Prometheus text exposition of the last run of each probe and drill (node_exporter textfile format)',
  arg: { name: 'path', default: 'metrics.prom' },
  create: (arg) => new MetricsReporter(arg ? { path: arg } : {}),
};
