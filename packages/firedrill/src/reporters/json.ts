import type { Writable } from 'node:stream';
import { type JsonReport, REPORT_VERSION } from '../core/report-schema.ts';
import type { ReporterDefinition } from '../reporting/definition.ts';
import { writeReportFile } from '../reporting/files.ts';
import type { Reporter, RunContext, RunSummary } from '../reporting/reporter.ts';
import { assertConforms } from '../reporting/validate-report.ts';

/** The document `json` writes: see `core/report-schema.ts` and the package's `report.schema.json`. */
export type { JsonReport };

export type JsonReporterOptions = { path: string } | { stdout: Writable };

export function jsonReport(summary: RunSummary, ctx: RunContext | undefined): JsonReport {
  const first = summary.results[0];
  return {
    version: REPORT_VERSION,
    runId: ctx?.runId ?? first?.runId ?? '',
    startedAt:
      ctx?.startedAt ??
      (first ? Math.min(...summary.results.map((r) => r.start)) : Date.now() - summary.durationMs),
    durationMs: summary.durationMs,
    exitCode: summary.exitCode,
    results: summary.results,
  };
}

/** Every Result, unchanged, for tools that post-process a run (dashboards, diffing two runs). */
export class JsonReporter implements Reporter {
  readonly #opts: JsonReporterOptions;
  #ctx: RunContext | undefined;

  constructor(opts: JsonReporterOptions) {
    this.#opts = opts;
  }

  printsToStdout(): boolean {
    return 'stdout' in this.#opts;
  }

  onBegin(ctx: RunContext): void {
    this.#ctx = ctx;
  }

  async onEnd(summary: RunSummary): Promise<void> {
    const doc = jsonReport(summary, this.#ctx);
    assertConforms('report', doc, 'path' in this.#opts ? this.#opts.path : 'the JSON report');
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if ('path' in this.#opts) return writeReportFile(this.#opts.path, text);
    const out = this.#opts.stdout;
    await new Promise<void>((resolve, reject) => out.write(text, (err) => (err ? reject(err) : resolve())));
  }
}

export const jsonReporter: ReporterDefinition = {
  name: 'json',
  description: 'all results as one JSON document (json=- for stdout)',
  arg: { name: 'path', default: 'results.json' },
  create: (arg, opts) =>
    arg === '-'
      ? new JsonReporter({ stdout: opts.stdout ?? process.stdout })
      : new JsonReporter({ path: arg! }),
};
