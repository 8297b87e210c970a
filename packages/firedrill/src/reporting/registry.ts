import { resolve } from 'node:path';
import { consoleReporter } from '../reporters/console.ts';
import { htmlReporter } from '../reporters/html.ts';
import { jsonReporter } from '../reporters/json.ts';
import { junitReporter } from '../reporters/junit.ts';
import { metricsReporter } from '../reporters/metrics.ts';
import { slackSummaryReporter } from '../reporters/slack-summary.ts';
import { type ReporterDefinition, type ReporterOptions, ReporterSpecError } from './definition.ts';
import type { NamedReporter } from './multiplexer.ts';

/** Every reporter a `--reporter` spec can name. Adding one: its file, and one entry here. */
export const REPORTERS: readonly ReporterDefinition[] = [
  consoleReporter,
  jsonReporter,
  junitReporter,
  htmlReporter,
  slackSummaryReporter,
  // The file only (node_exporter's textfile collector); pushing stays the CLI's `--push`, which
  // needs the environment's Pushgateway and must be able to fail the run.
  metricsReporter,
];

/** What the CLI uses when the user names no reporter. */
export const DEFAULT_REPORTER_SPECS: readonly string[] = ['console'];

export interface ReporterSpec {
  name: string;
  arg?: string;
  /** The text the user wrote, for error messages. */
  spec: string;
}

/**
 * `console`, `json`, `json=out/results.json`, `junit=reports/junit.xml`, `html`, `slack=#alerts`.
 * Several may share one flag separated by commas (`--reporter console,junit`), as Playwright allows.
 */
export function parseReporterSpecs(specs: readonly string[]): ReporterSpec[] {
  return specs
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((spec) => {
      const eq = spec.indexOf('=');
      if (eq < 0) return { name: spec, spec };
      return { name: spec.slice(0, eq).trim(), arg: spec.slice(eq + 1).trim(), spec };
    });
}

function knownList(): string {
  return REPORTERS.map((r) => `${r.name}${r.arg ? `[=${r.arg.name}]` : ''}`).join(', ');
}

/**
 * Builds reporters from CLI specs. Every spec is checked before any reporter is created, and all
 * problems are reported together, so a typo in the third spec is not found after a 10-minute run.
 */
export function createReporters(specs: readonly string[], opts: ReporterOptions): NamedReporter[] {
  const parsed = parseReporterSpecs(specs);
  const problems: string[] = [];
  const byName = new Map(REPORTERS.map((r) => [r.name, r]));
  const cwd = opts.cwd ?? process.cwd();
  const planned: Array<{ def: ReporterDefinition; arg: string | undefined; spec: string }> = [];
  for (const p of parsed) {
    const def = byName.get(p.name.toLowerCase());
    if (!def) {
      problems.push(
        `unknown reporter "${p.name}" in --reporter ${JSON.stringify(p.spec)}; known reporters: ${knownList()}`,
      );
      continue;
    }
    if (p.arg !== undefined && !def.arg) {
      problems.push(`reporter "${def.name}" takes no argument, got ${JSON.stringify(p.spec)}`);
      continue;
    }
    if (p.arg === '') {
      problems.push(
        `reporter "${def.name}": empty ${def.arg?.name ?? 'argument'} after "=" in ${JSON.stringify(p.spec)}`,
      );
      continue;
    }
    let arg = p.arg;
    if (def.arg?.name === 'path' && arg !== '-') {
      // A path the user typed is relative to where they typed it; a default lands in the report directory.
      arg =
        arg !== undefined ? resolve(cwd, arg) : resolve(opts.outDir, def.arg.default ?? `${def.name}.out`);
    } else if (arg === undefined) {
      arg = def.arg?.default;
    }
    planned.push({ def, arg, spec: p.spec });
  }
  if (problems.length > 0) throw new ReporterSpecError(problems.join('\n'));

  const html = planned.find((p) => p.def === htmlReporter);
  const shared: ReporterOptions = {
    ...opts,
    cwd,
    ...(html?.arg && !opts.htmlReportPath && { htmlReportPath: html.arg }),
  };
  const named: NamedReporter[] = [];
  for (const p of planned) {
    try {
      named.push({ name: p.def.name, reporter: p.def.create(p.arg, shared) });
    } catch (err) {
      problems.push(`reporter "${p.def.name}" (${JSON.stringify(p.spec)}): ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ReporterSpecError(problems.join('\n'));
  return named;
}
