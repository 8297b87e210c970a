import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ReporterDefinition, type ReporterOptions, ReporterSpecError } from '../reporting/definition.ts';
import type { NamedReporter } from '../reporting/multiplexer.ts';
import type { Reporter } from '../reporting/reporter.ts';
import { consoleReporter } from './console.ts';
import { githubReporter } from './github.ts';
import { htmlReporter } from './html.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { metricsReporter } from './metrics.ts';
import { slackSummaryReporter } from './slack-summary.ts';

/** Every reporter a `--reporter` spec can name. Adding one: its file, and one entry here. */
export const REPORTERS: readonly ReporterDefinition[] = [
  consoleReporter,
  jsonReporter,
  junitReporter,
  htmlReporter,
  slackSummaryReporter,
  githubReporter,
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

// `./my-reporter.ts`, `../x.js`, `/abs/r.mjs`, `reporters/r.ts`: a team's own reporter file.
const FILE_SPEC = /^(\.{1,2}\/|\/)|\.(m?[jt]s)$/;

/**
 * Imports the reporter files the specs name (a team's own, typed with `firedrill/reporter`). The
 * default export is a `Reporter`, a function `(arg, options) => Reporter`, or a class taking the
 * same. Each becomes a definition named by its spec, for `createReporters`.
 */
export async function loadFileReporters(
  specs: readonly string[],
  cwd = process.cwd(),
): Promise<ReporterDefinition[]> {
  const defs: ReporterDefinition[] = [];
  const problems: string[] = [];
  for (const p of parseReporterSpecs(specs)) {
    if (!FILE_SPEC.test(p.name)) continue;
    const file = resolve(cwd, p.name);
    if (!existsSync(file)) {
      problems.push(`reporter file ${JSON.stringify(p.name)}: no file at ${file}`);
      continue;
    }
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    } catch (err) {
      problems.push(`reporter file ${JSON.stringify(p.name)}: failed to load: ${(err as Error).message}`);
      continue;
    }
    const create = reporterFactory(exported);
    if (!create) {
      problems.push(
        `reporter file ${JSON.stringify(p.name)}: its default export is not a Reporter, a function returning one, or a class`,
      );
      continue;
    }
    defs.push({ name: p.name, description: `a reporter from ${file}`, arg: { name: 'arg' }, create });
  }
  if (problems.length > 0) throw new ReporterSpecError(problems.join('\n'));
  return defs;
}

const HOOKS = ['onBegin', 'onResultBegin', 'onStepEnd', 'onEvent', 'onResult', 'onEnd'] as const;

function reporterFactory(exported: unknown): ReporterDefinition['create'] | undefined {
  if (typeof exported === 'function') {
    const fn = exported as (arg: string | undefined, opts: ReporterOptions) => Reporter;
    // A class cannot be called without `new`; its source says which it is.
    if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) {
      const Ctor = exported as new (arg: string | undefined, opts: ReporterOptions) => Reporter;
      return (arg, opts) => new Ctor(arg, opts);
    }
    return (arg, opts) => fn(arg, opts);
  }
  if (typeof exported === 'object' && exported !== null && HOOKS.some((h) => h in exported)) {
    return () => exported as Reporter;
  }
  return undefined;
}

function knownList(): string {
  return REPORTERS.map((r) => `${r.name}${r.arg ? `[=${r.arg.name}]` : ''}`).join(', ');
}

/**
 * Builds reporters from CLI specs. Every spec is checked before any reporter is created, and all
 * problems are reported together, so a typo in the third spec is not found after a 10-minute run.
 */
export function createReporters(
  specs: readonly string[],
  opts: ReporterOptions,
  /** Reporters from files (`loadFileReporters`), matched by their spec. */
  fromFiles: readonly ReporterDefinition[] = [],
): NamedReporter[] {
  const parsed = parseReporterSpecs(specs);
  const problems: string[] = [];
  const byName = new Map([...REPORTERS, ...fromFiles].map((r) => [r.name, r]));
  const cwd = opts.cwd ?? process.cwd();
  const planned: Array<{ def: ReporterDefinition; arg: string | undefined; spec: string }> = [];
  for (const p of parsed) {
    const def = byName.get(p.name) ?? byName.get(p.name.toLowerCase());
    if (!def) {
      problems.push(
        `unknown reporter "${p.name}" in --reporter ${JSON.stringify(p.spec)}; known reporters: ${knownList()}, or a file (./my-reporter.ts)`,
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
