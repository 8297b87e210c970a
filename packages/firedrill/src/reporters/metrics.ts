import type { Result } from '../core/result.ts';
import { type ProbeInfo, ProbeMetrics } from '../metrics/probe-metrics.ts';
import { type PushOptions, pushToGateway } from '../metrics/pushgateway.ts';
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
 * Turns probe Results into Prometheus series (blackbox_exporter and Synthetic Monitoring names,
 * plus firedrill's own). It only reads Results; pushing is a separate, explicit call so the CLI
 * can fail a run whose metrics never arrived.
 */
export class MetricsReporter implements Reporter {
  readonly metrics: ProbeMetrics;
  readonly #path: string | undefined;

  constructor(opts: MetricsReporterOptions = {}) {
    this.metrics = opts.metrics ?? new ProbeMetrics();
    this.#path = opts.path;
    for (const p of opts.probes ?? []) this.metrics.describe(p);
  }

  onResult(result: Result): void {
    if (result.kind === 'probe') this.metrics.observe(result);
  }

  async onEnd(): Promise<void> {
    if (this.#path) await writeReportFile(this.#path, await this.metrics.expose());
  }

  /** PUTs everything to the Pushgateway group `job/<job>/location/<location>`; resolves to the URL pushed to. */
  push(opts: PushOptions): Promise<string> {
    return pushToGateway(this.metrics.registry, opts);
  }
}

export const metricsReporter: ReporterDefinition = {
  name: 'metrics',
  description: 'Prometheus text exposition of the probe results (node_exporter textfile format)',
  arg: { name: 'path', default: 'metrics.prom' },
  create: (arg) => new MetricsReporter(arg ? { path: arg } : {}),
};
