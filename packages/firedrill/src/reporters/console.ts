import type { Writable } from 'node:stream';
import pc from 'picocolors';
import type { Result, Status, StepResult, TimelineEvent } from '../core/result.ts';
import type { ReporterDefinition } from '../reporting/definition.ts';
import { describeCondition, formatDetail, formatValue, laneOfEvent } from '../reporting/drill.ts';
import type { Reporter, ResultRef, RunContext, RunSummary } from '../reporting/reporter.ts';
import {
  cleanText,
  countResults,
  firstLine,
  formatDuration,
  formatOffset,
  slowestSteps,
  verdictLine,
} from '../reporting/summary.ts';

type Colors = ReturnType<typeof pc.createColors>;
type Env = Readonly<Record<string, string | undefined>>;

export interface ConsoleReporterOptions {
  stdout?: Writable & { isTTY?: boolean };
  env?: Env;
  /** Overrides the colour decision made from the stream and `NO_COLOR`/`FORCE_COLOR`. */
  color?: boolean;
  /** How many of the slowest steps the summary lists. @defaultValue 5 */
  slowest?: number;
}

/**
 * Colour on a terminal only, unless the environment says otherwise. FORCE_COLOR wins over
 * NO_COLOR, as in Node itself, so a CI that sets both for a log viewer gets colours.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: Env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const MARK: Record<Status, string> = { pass: '✓', fail: '✗', error: '!', skipped: '-' };

/**
 * Live, line-oriented output that reads the same in a CI log as in a terminal: every line is
 * final once printed. On a TTY alone a one-line footer shows what is still running; it is erased
 * before each line so the log itself never holds cursor codes.
 */
export class ConsoleReporter implements Reporter {
  readonly #out: Writable & { isTTY?: boolean };
  readonly #c: Colors;
  readonly #tty: boolean;
  readonly #slowest: number;
  readonly #running = new Map<string, ResultRef>();
  #ctx: RunContext | undefined;
  #done = 0;
  #footerShown = false;
  #ticker: NodeJS.Timeout | undefined;

  constructor(opts: ConsoleReporterOptions = {}) {
    this.#out = opts.stdout ?? process.stdout;
    const env = opts.env ?? process.env;
    this.#c = pc.createColors(opts.color ?? colorEnabled(this.#out, env));
    this.#tty = this.#out.isTTY === true && env.TERM !== 'dumb' && env.CI === undefined;
    this.#slowest = opts.slowest ?? 5;
  }

  printsToStdout(): boolean {
    return true;
  }

  onBegin(ctx: RunContext): void {
    this.#ctx = ctx;
    const c = this.#c;
    const what = `${ctx.total} ${ctx.kind === 'mixed' ? 'item' : ctx.kind}${ctx.total === 1 ? '' : 's'}`;
    const env = ctx.environment ? ` · ${ctx.environment}` : '';
    this.#lines([`${c.bold('firedrill')} ${c.dim(`run ${ctx.runId}`)} · ${what}${env}`, '']);
    if (this.#tty) this.#ticker = setInterval(() => this.#lines([]), 1000).unref();
  }

  onResultBegin(ref: ResultRef): void {
    this.#running.set(ref.id, ref);
    // Drills are long and watched live; announce them. Probes announce themselves by their steps.
    if (ref.kind === 'drill') {
      const retry = (ref.attempt ?? 1) > 1 ? this.#c.yellow(` (attempt ${ref.attempt})`) : '';
      this.#lines([`${this.#c.cyan('▶')} drill ${this.#c.bold(ref.name)}${retry}`]);
    }
  }

  onStepEnd(ref: ResultRef, step: StepResult): void {
    const c = this.#c;
    const err = step.error ? `  ${c.red(firstLine(step.error.message, 160))}` : '';
    this.#lines([
      `  ${this.#mark(step.status)} ${c.dim(`${ref.name} ›`)} ${step.name} ${c.dim(`(${formatDuration(step.durationMs)})`)}${err}`,
    ]);
  }

  onEvent(ref: ResultRef, event: TimelineEvent): void {
    const c = this.#c;
    const detail = formatDetail(event.detail);
    const lane = laneOfEvent(event).padEnd(9);
    this.#lines([
      `  ${c.cyan(formatOffset(event.at - ref.start).padStart(8))} ${c.dim(`${ref.id} ${lane}`)} ${event.event}${detail ? c.dim(`  ${detail}`) : ''}`,
    ]);
  }

  onResult(result: Result): void {
    this.#running.delete(result.id);
    this.#done++;
    this.#lines([...this.#resultLines(result), '']);
  }

  onEnd(summary: RunSummary): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#running.clear();
    this.#lines(this.#summaryLines(summary));
    this.#clearFooter();
  }

  #resultLines(r: Result): string[] {
    const c = this.#c;
    const retry = r.flaky ? c.yellow(`  flaky: passed on attempt ${r.attempt ?? 2}`) : '';
    const head = `${this.#mark(r.status, true)} ${r.kind} ${c.bold(r.name)} ${c.dim(formatDuration(r.durationMs))}${retry}`;
    const out = [head];
    if (r.status === 'skipped' && r.error) out.push(`    ${c.dim(firstLine(r.error.message, 200))}`);
    if (r.status === 'pass' || r.status === 'skipped') {
      if (r.rollback && r.rollback.status !== 'pass')
        out.push(`    ${c.red('rollback')} ${r.rollback.status}`);
      return out;
    }
    // The broken hop first, in one sentence: what a person on a game day reads before anything else.
    if (r.diagnosis)
      out.push(`    ${c.red(c.bold(`${r.diagnosis.hop} hop:`))} ${cleanText(r.diagnosis.message)}`);
    if (r.error) {
      const lines = cleanText(r.error.message)
        .split('\n')
        .filter((l) => l.trim());
      const type = r.error.type ? c.dim(` [${r.error.type}]`) : '';
      out.push(`    ${c.red(lines[0] ?? '')}${type}`, ...lines.slice(1, 6).map((l) => `    ${c.dim(l)}`));
    }
    for (const s of r.steps.filter((s) => s.status === 'fail' || s.status === 'error')) {
      // The result's own error usually is the step's; say where, not the same words twice.
      const same = s.error?.message === r.error?.message;
      out.push(
        `    at step ${c.bold(s.name)}${s.error && !same ? `: ${firstLine(s.error.message, 160)}` : ''}`,
      );
    }
    for (const cond of r.conditions ?? []) {
      if (cond.status === 'pass') continue;
      const actual = cond.actual !== undefined ? c.dim(` — saw ${formatValue(cond.actual, 80)}`) : '';
      const consequence = cond.consequenceOf ? c.dim(` (consequence of ${cond.consequenceOf})`) : '';
      out.push(`    ${this.#mark(cond.status)} ${describeCondition(cond.condition)}${consequence}${actual}`);
      // The whole cause, never clipped: its end ("…instead of #alerts-critical") is the point.
      if (cond.message) out.push(`      ${c.dim(cleanText(cond.message).replace(/\s*\n\s*/g, ' '))}`);
    }
    if (r.rollback) {
      const rb = r.rollback;
      const word = rb.status === 'pass' ? c.green('rolled back') : c.red(`rollback ${rb.status}`);
      out.push(`    ${word}${rb.error ? `: ${firstLine(rb.error.message, 160)}` : ''}`);
    }
    for (const a of r.artifacts) out.push(`    ${c.dim(`${a.kind}:`)} ${a.path}`);
    return out;
  }

  #summaryLines(summary: RunSummary): string[] {
    const c = this.#c;
    const n = countResults(summary.results);
    const runId = this.#ctx?.runId ?? summary.results[0]?.runId;
    const row = (label: string, count: number, paint: (s: string) => string, note = '') =>
      `  ${label.padEnd(9)}${(count > 0 ? paint : c.dim)(String(count).padStart(4))}${note}`;
    const out = [
      c.dim('─'.repeat(60)),
      `${c.bold('Summary')} ${c.dim(`${runId ? `run ${runId} · ` : ''}${formatDuration(summary.durationMs)}`)}`,
      row('passed', n.passed, c.green, n.flaky ? c.yellow(`  (${n.flaky} flaky)`) : ''),
      row('failed', n.failed, c.red),
      row('errored', n.errored, c.red),
      row('skipped', n.skipped, c.yellow),
    ];
    const slow = slowestSteps(summary.results, this.#slowest);
    if (slow.length > 0) {
      out.push('', c.bold('Slowest steps'));
      for (const { result, step } of slow) {
        out.push(
          `  ${formatDuration(step.durationMs).padStart(8)}  ${c.dim(`${result.name} ›`)} ${step.name}`,
        );
      }
    }
    const verdict = verdictLine(n);
    out.push(
      '',
      summary.exitCode === 0
        ? c.green(c.bold(`✓ PASSED: ${verdict}`))
        : c.red(c.bold(`✗ FAILED: ${verdict} (exit ${summary.exitCode})`)),
    );
    return out;
  }

  #mark(status: Status, big = false): string {
    const c = this.#c;
    const m = MARK[status];
    const paint = status === 'pass' ? c.green : status === 'skipped' ? c.yellow : c.red;
    return big ? c.bold(paint(m)) : paint(m);
  }

  #lines(lines: string[]): void {
    this.#clearFooter();
    if (lines.length > 0) this.#out.write(`${lines.join('\n')}\n`);
    if (this.#tty && this.#running.size > 0) {
      const total = this.#ctx?.total ?? 0;
      const first = [...this.#running.values()][0]!;
      const more = this.#running.size > 1 ? ` +${this.#running.size - 1} more` : '';
      const elapsed = formatOffset(Date.now() - first.start);
      this.#out.write(
        this.#c.dim(`  … ${this.#done}/${total} done · running ${first.name} ${elapsed}${more}`),
      );
      this.#footerShown = true;
    }
  }

  #clearFooter(): void {
    if (!this.#footerShown) return;
    this.#out.write('\r\x1b[2K');
    this.#footerShown = false;
  }
}

export const consoleReporter: ReporterDefinition = {
  name: 'console',
  description: 'live progress and a summary on stdout',
  create: (_arg, opts) =>
    new ConsoleReporter({
      ...(opts.stdout && { stdout: opts.stdout }),
      ...(opts.env && { env: opts.env }),
    }),
};
