import type { Writable } from 'node:stream';
import pc from 'picocolors';
import type {
  ConditionResult,
  Diagnosis,
  Result,
  Status,
  StepResult,
  TimelineEvent,
} from '../core/result.ts';
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

const PHASES: readonly TimelineEvent['phase'][] = ['preflight', 'inject', 'observe', 'rollback', 'resolve'];

/**
 * A live ref with the run's attempt budget, which `ResultRef` does not carry yet (the probe
 * runner knows it): `maxAttempts` turns "attempt 2" into "attempt 2/3". Without it the attempt
 * number prints alone.
 */
type RunRef = ResultRef & { maxAttempts?: number };

/** One run's output while it runs. */
interface Block {
  ref: RunRef;
  /** Step lines (and, for a probe, everything else) held until the run's result arrives. */
  lines: string[];
  /** Timeline events not printed yet, released sorted by `at` at the next phase boundary. */
  held: TimelineEvent[];
  /** Index in `PHASES` of the latest phase an event was seen in. */
  phase: number;
}

const attemptLabel = (attempt: number, max: number | undefined) => `${attempt}${max ? `/${max}` : ''}`;

/**
 * Line-oriented output that reads the same in a CI log as in a terminal: every line is final once
 * printed. Runs go in concurrently (`probe` runs four at a time), so a run's lines are held and
 * printed as one block when it ends; a drill, watched live on a game day, prints its timeline at
 * each phase boundary instead. On a TTY alone a one-line footer says what is still running; it is
 * erased before each write so the log itself never holds cursor codes.
 */
export class ConsoleReporter implements Reporter {
  readonly #out: Writable & { isTTY?: boolean };
  readonly #c: Colors;
  readonly #tty: boolean;
  readonly #slowest: number;
  readonly #running = new Map<string, ResultRef>();
  readonly #blocks = new Map<string, Block>();
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

  onResultBegin(ref: RunRef): void {
    const c = this.#c;
    this.#running.set(ref.id, ref);
    const attempt = ref.attempt ?? 1;
    const prev = this.#blocks.get(ref.id);
    if (prev && attempt > 1) {
      // The failed attempt stays in the block, its failing step above this line, so the block
      // says why the run was retried.
      this.#releaseEvents(prev);
      const was = attemptLabel(prev.ref.attempt ?? attempt - 1, prev.ref.maxAttempts);
      prev.lines.push(
        `  ${c.yellow('↻')} ${c.dim(`${ref.name} ›`)} attempt ${was} failed; ${c.yellow(`attempt ${attemptLabel(attempt, ref.maxAttempts)}`)}`,
      );
      prev.ref = ref;
      prev.phase = 0;
    } else {
      this.#blocks.set(ref.id, { ref, lines: [], held: [], phase: 0 });
    }
    // Drills are long and watched live; announce them. A probe's block is printed when it ends.
    if (ref.kind === 'drill') {
      const retry = attempt > 1 ? c.yellow(` (attempt ${attemptLabel(attempt, ref.maxAttempts)})`) : '';
      this.#lines([`${c.cyan('▶')} drill ${c.bold(ref.name)}${retry}`]);
    } else if (this.#tty) {
      this.#lines([]);
    }
  }

  onStepEnd(ref: ResultRef, step: StepResult): void {
    const c = this.#c;
    const err = step.error ? `  ${c.red(firstLine(step.error.message, 160))}` : '';
    this.#blockOf(ref).lines.push(
      `  ${this.#mark(step.status)} ${c.dim(`${ref.name} ›`)} ${step.name} ${c.dim(`(${formatDuration(step.durationMs)})`)}${err}`,
    );
  }

  /**
   * Watchers report what they saw with the system's own timestamps (Prometheus' activeAt, a
   * Slack message's ts), so events arrive out of order. Within a phase they are held; the first
   * event of a later phase releases them sorted. A drill's phases follow one another, so that
   * order holds across the whole timeline, and a game day still sees each phase as it ends.
   */
  onEvent(ref: ResultRef, event: TimelineEvent): void {
    const block = this.#blockOf(ref);
    const phase = PHASES.indexOf(event.phase);
    if (phase > block.phase) {
      this.#releaseEvents(block);
      block.phase = phase;
    }
    block.held.push(event);
  }

  onResult(result: Result): void {
    const block = this.#blocks.get(result.id);
    this.#blocks.delete(result.id);
    this.#running.delete(result.id);
    this.#done++;
    const held = block ? [...this.#eventLines(block), ...block.lines] : [];
    this.#lines([...held, ...this.#resultLines(result, block?.ref), '']);
  }

  onEnd(summary: RunSummary): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    // A run that never reported a result (its runner broke) still shows what it did.
    const unfinished = [...this.#blocks.values()].flatMap((b) => [
      ...this.#eventLines(b),
      ...b.lines,
      `${this.#mark('error', true)} ${b.ref.kind} ${this.#c.bold(b.ref.name)} ${this.#c.dim('no result')}`,
      '',
    ]);
    this.#blocks.clear();
    this.#running.clear();
    this.#lines([...unfinished, ...this.#summaryLines(summary)]);
    this.#clearFooter();
  }

  #blockOf(ref: ResultRef): Block {
    let block = this.#blocks.get(ref.id);
    if (!block) {
      block = { ref, lines: [], held: [], phase: 0 };
      this.#blocks.set(ref.id, block);
    }
    return block;
  }

  /** Held events leave sorted: live for a drill, into the block for anything else. */
  #releaseEvents(block: Block): void {
    const lines = this.#eventLines(block);
    if (lines.length === 0) return;
    if (block.ref.kind === 'drill') this.#lines(lines);
    else block.lines.push(...lines);
  }

  #eventLines(block: Block): string[] {
    const c = this.#c;
    const events = block.held.sort((a, b) => a.at - b.at);
    block.held = [];
    return events.map((event) => {
      const detail = formatDetail(event.detail);
      const lane = laneOfEvent(event).padEnd(9);
      return `  ${c.cyan(formatOffset(event.at - block.ref.start).padStart(8))} ${c.dim(`${block.ref.id} ${lane}`)} ${event.event}${detail ? c.dim(`  ${detail}`) : ''}`;
    });
  }

  #resultLines(r: Result, ref: RunRef | undefined): string[] {
    const c = this.#c;
    const attempt = r.attempt ?? ref?.attempt ?? 1;
    const tries = attemptLabel(r.flaky ? Math.max(attempt, 2) : attempt, ref?.maxAttempts);
    const retry = r.flaky
      ? c.yellow(`  flaky: passed on attempt ${tries}`)
      : attempt > 1
        ? c.yellow(`  attempt ${tries}`)
        : '';
    const head = `${this.#mark(r.status, true)} ${r.kind} ${c.bold(r.name)} ${c.dim(formatDuration(r.durationMs))}${retry}`;
    const out = [head];
    if (r.status === 'skipped' && r.error) out.push(`    ${c.dim(firstLine(r.error.message, 200))}`);
    const ok = r.status === 'pass' || r.status === 'skipped';
    if (!ok) out.push(...this.#whyLines(r));
    // Every condition with its status, passing ones too: a check that the alert stays out of a
    // channel (`noSlackMessage`) leaves no timeline event when it holds, so this is where it shows.
    for (const cond of r.conditions ?? []) out.push(...this.#conditionLines(cond, r.start));
    if (ok) {
      if (r.rollback && r.rollback.status !== 'pass')
        out.push(`    ${c.red('rollback')} ${r.rollback.status}`);
      return out;
    }
    if (r.rollback) {
      const rb = r.rollback;
      const word = rb.status === 'pass' ? c.green('rolled back') : c.red(`rollback ${rb.status}`);
      out.push(`    ${word}${rb.error ? `: ${firstLine(rb.error.message, 160)}` : ''}`);
    }
    for (const a of r.artifacts) out.push(`    ${c.dim(`${a.kind}:`)} ${a.path}`);
    return out;
  }

  /** Why a run did not pass: the broken hop, the error, the failing steps. */
  #whyLines(r: Result): string[] {
    const c = this.#c;
    const out: string[] = [];
    // The broken hop first, in one sentence: what a person on a game day reads before anything else.
    if (r.diagnosis)
      out.push(`    ${c.red(c.bold(`${r.diagnosis.hop} hop:`))} ${cleanText(r.diagnosis.message)}`);
    const message =
      r.error && (r.diagnosis ? beyondDiagnosis(r.error.message, r.diagnosis) : r.error.message);
    if (r.error && message) {
      const lines = cleanText(message)
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
    return out;
  }

  #conditionLines(cond: ConditionResult, start: number): string[] {
    const c = this.#c;
    const what = describeCondition(cond.condition);
    if (cond.status === 'pass') {
      const at =
        cond.satisfiedAt !== undefined ? c.dim(` — at ${formatOffset(cond.satisfiedAt - start)}`) : '';
      return [`    ${this.#mark('pass')} ${what}${at}`];
    }
    const actual = cond.actual !== undefined ? c.dim(` — saw ${formatValue(cond.actual, 80)}`) : '';
    const consequence = cond.consequenceOf ? c.dim(` (consequence of ${cond.consequenceOf})`) : '';
    const out = [`    ${this.#mark(cond.status)} ${what}${consequence}${actual}`];
    // The whole cause, never clipped: its end ("…instead of #alerts-critical") is the point.
    if (cond.message) out.push(`      ${c.dim(cleanText(cond.message).replace(/\s*\n\s*/g, ' '))}`);
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
      const now = Date.now();
      const running = [...this.#running.values()];
      // Three names fit an 80-column terminal; the footer must never wrap, or erasing it fails.
      const names = running.slice(0, 3).map((r) => `${r.name} ${formatDuration(now - r.start)}`);
      const more = running.length > 3 ? ` +${running.length - 3} more` : '';
      this.#out.write(this.#c.dim(`  … ${this.#done}/${total} done · running: ${names.join(', ')}${more}`));
      this.#footerShown = true;
    }
  }

  #clearFooter(): void {
    if (!this.#footerShown) return;
    this.#out.write('\r\x1b[2K');
    this.#footerShown = false;
  }
}

/**
 * What an error says beyond its diagnosis. A drill refused at preflight fails with
 * "preflight failed: A; B" while its diagnosis already reads "Refused before injecting: A (and 1
 * more finding)."; only B is news. Parts are split where the errors join their findings.
 */
export function beyondDiagnosis(message: string, diagnosis: Diagnosis): string {
  const text = cleanText(message);
  const colon = text.indexOf(': ');
  const labelled = colon > 0 && !text.slice(0, colon).includes('\n');
  const label = labelled ? text.slice(0, colon + 2) : '';
  const parts = (labelled ? text.slice(colon + 2) : text).split('; ');
  const left = parts.filter((p) => p.trim() !== '' && !diagnosis.message.includes(p.trim()));
  return left.length > 0 ? `${label}${left.join('; ')}` : '';
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
