import type { ReporterDefinition } from '../reporting/definition.ts';
import { writeReportFile } from '../reporting/files.ts';
import { loadArtifacts } from '../reporting/html/artifacts.ts';
import { renderReportPage } from '../reporting/html/page.ts';
import type { Reporter, RunContext, RunSummary } from '../reporting/reporter.ts';

export interface HtmlReporterOptions {
  /** The report file; artifacts are linked relative to it. */
  path: string;
  /** The report directory that relative `Artifact.path`s are relative to. */
  outDir: string;
  /** Largest screenshot inlined as a data URI; larger ones are linked. @defaultValue 2_000_000 */
  inlineLimitBytes?: number;
}

/** Builds the report document; exported for callers that want the HTML without a reporter (a scheduler UI). */
export async function renderHtmlReport(
  summary: RunSummary,
  ctx: RunContext | undefined,
  opts: HtmlReporterOptions & { generatedAt?: number },
): Promise<string> {
  const artifacts = await loadArtifacts(summary.results, {
    outDir: opts.outDir,
    htmlPath: opts.path,
    ...(opts.inlineLimitBytes !== undefined && { inlineLimitBytes: opts.inlineLimitBytes }),
  });
  return renderReportPage({
    summary,
    ctx,
    artifacts,
    ...(opts.generatedAt !== undefined && { generatedAt: opts.generatedAt }),
  });
}

/** One self-contained HTML file per run: a person opens it from a CI artifact and sees what broke. */
export class HtmlReporter implements Reporter {
  readonly #opts: HtmlReporterOptions;
  #ctx: RunContext | undefined;

  constructor(opts: HtmlReporterOptions) {
    this.#opts = opts;
  }

  onBegin(ctx: RunContext): void {
    this.#ctx = ctx;
  }

  async onEnd(summary: RunSummary): Promise<void> {
    await writeReportFile(this.#opts.path, await renderHtmlReport(summary, this.#ctx, this.#opts));
  }
}

export const htmlReporter: ReporterDefinition = {
  name: 'html',
  description: 'one self-contained HTML report with waterfalls, vitals, screenshots and drill timelines',
  arg: { name: 'path', default: 'index.html' },
  create: (arg, opts) => new HtmlReporter({ path: arg!, outDir: opts.outDir }),
};
