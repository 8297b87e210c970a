import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Result } from '../core/result.ts';
import type { ReporterDefinition } from '../reporting/definition.ts';
import { describeCondition, hopMeasures } from '../reporting/drill.ts';
import type { Reporter, RunContext, RunSummary } from '../reporting/reporter.ts';
import {
  byInterest,
  cleanText,
  countResults,
  firstLine,
  formatDuration,
  STATUS_WORD,
  verdictLine,
} from '../reporting/summary.ts';
import { beyondDiagnosis } from './console.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface GithubReporterOptions {
  /** Where the workflow commands go; the runner reads them from the step's log. @defaultValue process.stdout */
  stdout?: Writable;
  /** `GITHUB_STEP_SUMMARY` and `GITHUB_WORKSPACE` come from here. @defaultValue process.env */
  env?: Env;
  /** The project root the definition files are named from. @defaultValue process.cwd() */
  cwd?: string;
}

/** `%`, CR and LF in a workflow command's message; GitHub decodes them back. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property (`file=`, `title=`) also ends at `,` and its value at `:`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

// Where `firedrill init` and the loaders' defaults put each kind of definition.
const CONVENTION: Record<Result['kind'], (id: string) => string> = {
  probe: (id) => `probes/${id}.probe.ts`,
  drill: (id) => `alert-tests/${id}.drill.ts`,
  scenario: (id) => `scenarios/${id}.ts`,
};

/**
 * The definition file an annotation points at, relative to the repository root as GitHub wants
 * it. Results do not carry their file yet, so it is the conventional one: a config that moves
 * `probes.dir` or names files other than by their id gets annotations on a file that is not there
 * (GitHub then shows them on the run, unattached).
 */
export function definitionFile(r: Result, cwd: string, workspace: string | undefined): string {
  const rel = CONVENTION[r.kind](r.id);
  if (!workspace) return rel;
  const fromRoot = path.relative(workspace, path.resolve(cwd, rel));
  return fromRoot.startsWith('..') || path.isAbsolute(fromRoot) ? rel : fromRoot.split(path.sep).join('/');
}

/** What went wrong, most telling first: the broken hop, the error, the conditions that failed on their own. */
function failureLines(r: Result): string[] {
  const out: string[] = [];
  if (r.diagnosis) out.push(`${r.diagnosis.hop} hop: ${cleanText(r.diagnosis.message)}`);
  const error = r.error && (r.diagnosis ? beyondDiagnosis(r.error.message, r.diagnosis) : r.error.message);
  if (error) {
    out.push(
      ...cleanText(error)
        .split('\n')
        .filter((l) => l.trim())
        .slice(0, 6),
    );
  }
  const step = r.steps.find((s) => s.status === 'fail' || s.status === 'error');
  if (step) {
    const own = step.error && step.error.message !== r.error?.message;
    out.push(`at step ${step.name}${own ? `: ${firstLine(step.error?.message, 200)}` : ''}`);
  }
  for (const c of r.conditions ?? []) {
    if (c.status === 'pass' || c.status === 'skipped' || c.consequenceOf) continue;
    const why = c.message ? `: ${cleanText(c.message).replace(/\s*\n\s*/g, ' ')}` : '';
    out.push(`${describeCondition(c.condition)} ${STATUS_WORD[c.status]}${why}`);
  }
  if (r.rollback && r.rollback.status !== 'pass')
    out.push(
      `rollback ${r.rollback.status}${r.rollback.error ? `: ${firstLine(r.rollback.error.message)}` : ''}`,
    );
  if (out.length === 0) out.push(`${r.kind} ${STATUS_WORD[r.status]}`);
  return out;
}

/**
 * One `::error` per failed or errored result and one `::warning` per flaky pass, failures first:
 * GitHub shows only the first ten of each kind per step.
 */
export function annotations(results: readonly Result[], fileOf: (r: Result) => string): string[] {
  return byInterest(results).flatMap((r) => {
    const props = `file=${escapeProperty(fileOf(r))},title=${escapeProperty(r.id)}`;
    if (r.status === 'fail' || r.status === 'error')
      return [`::error ${props}::${escapeData(failureLines(r).join('\n'))}`];
    if (r.status === 'pass' && r.flaky) {
      const msg = `${r.kind} ${r.name} passed only on attempt ${r.attempt ?? 2}: flaky`;
      return [`::warning ${props}::${escapeData(msg)}`];
    }
    return [];
  });
}

/** Text in a table cell or a paragraph: one line, Markdown and HTML inert. */
export function markdownText(s: string, max = 300): string {
  const line = cleanText(s).replace(/\s*\n\s*/g, ' ');
  const clipped = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return clipped.replace(/&/g, '&amp;').replace(/[\\`*_[\]<>|~]/g, (ch) => `\\${ch}`);
}

/**
 * Text as it was written: error messages carry call logs whose indentation is their meaning. The
 * fence is longer than any run of backticks inside, so the text cannot close it.
 */
function codeBlock(text: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, text, fence];
}

const ICON: Record<Result['status'], string> = { pass: '✅', fail: '❌', error: '⚠️', skipped: '⏭️' };

/** The drill hops the table shows, each measured from the injection (resolve: from the rollback). */
const HOP_COLUMNS = ['fire', 'notify', 'log', 'resolve'] as const;

function hopCells(r: Result): string[] {
  if (r.kind !== 'drill') return HOP_COLUMNS.map(() => '');
  const measures = hopMeasures(r);
  return HOP_COLUMNS.map((hop) => {
    const m = measures.find((h) => h.hop === hop);
    if (m?.measuredMs === undefined) return '–';
    const over = m.maxMs !== undefined && m.measuredMs > m.maxMs;
    return `${formatDuration(m.measuredMs)}${over ? ` ⚠️ over max ${formatDuration(m.maxMs!)}` : ''}`;
  });
}

function whyCell(r: Result): string {
  if (r.status === 'fail' || r.status === 'error') return markdownText(failureLines(r)[0]!, 200);
  if (r.flaky) return `flaky: passed on attempt ${r.attempt ?? 2}`;
  if (r.status === 'skipped' && r.error) return markdownText(firstLine(r.error.message), 200);
  return '';
}

/** A job summary can hold 1 MiB; a few hundred rows is far below it and more than anyone reads. */
const MAX_ROWS = 300;

/** The job summary: the verdict, a table of every result (failures first), then each failure in full. */
export function jobSummary(summary: RunSummary, ctx: RunContext | undefined): string {
  const n = countResults(summary.results);
  const runId = ctx?.runId ?? summary.results[0]?.runId;
  const env = ctx?.environment ?? summary.results.find((r) => r.environment)?.environment;
  const ok = summary.exitCode === 0;
  const facts = [
    runId && `run \`${runId}\``,
    formatDuration(summary.durationMs),
    `exit ${summary.exitCode}`,
  ].filter(Boolean);
  const out = [
    `## ${ok ? '✅' : '❌'} firedrill${env ? ` · ${markdownText(env)}` : ''}: ${verdictLine(n)}`,
    '',
    facts.join(' · '),
    '',
  ];
  const ordered = byInterest(summary.results);
  if (ordered.length > 0) {
    out.push(
      '| Status | ID | Kind | Duration | Fire | Notify | Log | Resolve | Why |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const r of ordered.slice(0, MAX_ROWS)) {
      const status = `${ICON[r.status]} ${STATUS_WORD[r.status]}${r.flaky ? ' (flaky)' : ''}`;
      const cells = [
        status,
        markdownText(r.id),
        r.kind,
        formatDuration(r.durationMs),
        ...hopCells(r),
        whyCell(r),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    if (ordered.length > MAX_ROWS)
      out.push('', `…and ${ordered.length - MAX_ROWS} more, all in the JSON and HTML reports.`);
    if (ordered.some((r) => r.kind === 'drill'))
      out.push('', 'Drill hops are measured from the fault injection; resolve from the rollback.');
  }
  for (const r of ordered.filter((r) => r.status === 'fail' || r.status === 'error')) {
    out.push('', `### ${ICON[r.status]} ${r.kind} ${markdownText(r.id)} ${STATUS_WORD[r.status]}`, '');
    out.push(...codeBlock(failureLines(r).join('\n')));
  }
  return `${out.join('\n')}\n`;
}

/**
 * For GitHub Actions: a job summary (Markdown appended to `GITHUB_STEP_SUMMARY`) and workflow
 * commands that annotate the probe or drill file of every failure. Both are written once, at the
 * end, so the annotations land after the console's live output rather than inside it.
 */
export class GithubReporter implements Reporter {
  readonly #out: Writable;
  readonly #env: Env;
  readonly #cwd: string;
  #ctx: RunContext | undefined;

  constructor(opts: GithubReporterOptions = {}) {
    this.#out = opts.stdout ?? process.stdout;
    this.#env = opts.env ?? process.env;
    this.#cwd = opts.cwd ?? process.cwd();
  }

  /**
   * Workflow commands are whole lines the runner picks out of any log; sharing stdout with the
   * console is how they are meant to be used, not an interleaving to warn about.
   */
  printsToStdout(): boolean {
    return false;
  }

  onBegin(ctx: RunContext): void {
    this.#ctx = ctx;
  }

  async onEnd(summary: RunSummary): Promise<void> {
    const lines: string[] = [];
    const file = this.#env.GITHUB_STEP_SUMMARY;
    // Appended, not written: earlier steps and other tools share the file.
    if (file) await appendFile(file, jobSummary(summary, this.#ctx), 'utf8');
    // GitHub shows `::debug::` only when a run is re-run with debug logging.
    else lines.push('::debug::GITHUB_STEP_SUMMARY is not set: no job summary written');
    const workspace = this.#env.GITHUB_WORKSPACE;
    lines.push(...annotations(summary.results, (r) => definitionFile(r, this.#cwd, workspace)));
    const text = `${lines.join('\n')}\n`;
    await new Promise<void>((resolve, reject) =>
      this.#out.write(text, (err) => (err ? reject(err) : resolve())),
    );
  }
}

export const githubReporter: ReporterDefinition = {
  name: 'github',
  description: 'GitHub Actions: a job summary and ::error annotations on the failing files',
  create: (_arg, opts) =>
    new GithubReporter({
      ...(opts.stdout && { stdout: opts.stdout }),
      ...(opts.env && { env: opts.env }),
      ...(opts.cwd && { cwd: opts.cwd }),
    }),
};
