import type { Result, StepResult, TimelineEvent } from '../core/result.ts';
import { type ErrorInfo, errorInfo } from '../core/result.ts';
import type { Reporter, ReporterHook, ResultRef, RunContext, RunSummary } from './reporter.ts';

export interface NamedReporter {
  /** The name the user knows it by (`html`, `junit`, …), used in error messages. */
  name: string;
  reporter: Reporter;
}

/** One call into one reporter that threw, rejected or timed out. */
export interface ReporterFailure {
  reporter: string;
  hook: ReporterHook;
  error: ErrorInfo;
  /** How many further calls to the same hook of the same reporter failed after this one. */
  repeats: number;
}

export interface MultiplexerOptions {
  /**
   * Where a failure is reported the moment it happens. Defaults to one line on stderr, because
   * stdout belongs to the reporters and the failing one may be the console.
   */
  warn?: (line: string) => void;
  /**
   * Longest wait for one awaited hook of one reporter. A Slack post that hangs must not hold a
   * CI job until its own timeout; 30 s is far above a healthy file write or API call.
   * @defaultValue 30_000
   */
  hookTimeoutMs?: number;
}

/**
 * Fans every call out to all reporters and isolates each one: a reporter that throws still gets
 * every later call (its next hook may well work, e.g. the final file write after a live-output
 * bug), the others never notice, and the run goes on. Failures are collected and summarised
 * after `onEnd`, so the CLI can decide whether a broken reporter should fail the job.
 */
export class ReporterMultiplexer implements Required<Omit<Reporter, 'printsToStdout'>> {
  readonly #reporters: readonly NamedReporter[];
  readonly #warn: (line: string) => void;
  readonly #timeoutMs: number;
  readonly #failures = new Map<string, ReporterFailure>();

  constructor(reporters: readonly NamedReporter[], opts: MultiplexerOptions = {}) {
    this.#reporters = reporters;
    this.#warn = opts.warn ?? ((line) => process.stderr.write(`${line}\n`));
    this.#timeoutMs = opts.hookTimeoutMs ?? 30_000;
  }

  /** Failures so far, one entry per reporter and hook (repeats counted, not listed). */
  get failures(): ReporterFailure[] {
    return [...this.#failures.values()];
  }

  /** Reporters that claim stdout; more than one means interleaved output. */
  stdoutReporters(): string[] {
    return this.#reporters
      .filter((r) => this.#safe(() => r.reporter.printsToStdout?.() === true))
      .map((r) => r.name);
  }

  onBegin(ctx: RunContext): Promise<void> {
    return this.#awaitAll('onBegin', (r) => r.onBegin?.(ctx));
  }

  onResultBegin(ref: ResultRef): void {
    this.#fireAll('onResultBegin', (r) => r.onResultBegin?.(ref));
  }

  onStepEnd(ref: ResultRef, step: StepResult): void {
    this.#fireAll('onStepEnd', (r) => r.onStepEnd?.(ref, step));
  }

  onEvent(ref: ResultRef, event: TimelineEvent): void {
    this.#fireAll('onEvent', (r) => r.onEvent?.(ref, event));
  }

  onResult(result: Result): Promise<void> {
    return this.#awaitAll('onResult', (r) => r.onResult?.(result));
  }

  async onEnd(summary: RunSummary): Promise<void> {
    await this.#awaitAll('onEnd', (r) => r.onEnd?.(summary));
    for (const f of this.failures) {
      const more =
        f.repeats > 0 ? ` (and ${f.repeats} more ${f.hook} call${f.repeats === 1 ? '' : 's'})` : '';
      this.#warn(`firedrill: reporter "${f.reporter}" failed in ${f.hook}${more}: ${f.error.message}`);
    }
  }

  #fireAll(hook: ReporterHook, call: (r: Reporter) => unknown): void {
    for (const { name, reporter } of this.#reporters) {
      try {
        const out = call(reporter);
        // A live hook declared `void` may still be async; its rejection must not go unhandled.
        if (isPromise(out)) out.catch((err: unknown) => this.#record(name, hook, err));
      } catch (err) {
        this.#record(name, hook, err);
      }
    }
  }

  async #awaitAll(hook: ReporterHook, call: (r: Reporter) => unknown): Promise<void> {
    await Promise.all(
      this.#reporters.map(async ({ name, reporter }) => {
        try {
          const out = call(reporter);
          if (isPromise(out))
            await withTimeout(out, this.#timeoutMs, `${hook} timed out after ${this.#timeoutMs} ms`);
        } catch (err) {
          this.#record(name, hook, err);
        }
      }),
    );
  }

  #record(reporter: string, hook: ReporterHook, err: unknown): void {
    const key = `${reporter}\0${hook}`;
    const seen = this.#failures.get(key);
    if (seen) {
      seen.repeats++;
      return;
    }
    const error = errorInfo(err);
    this.#failures.set(key, { reporter, hook, error, repeats: 0 });
    // Once per reporter and hook: a console bug in onStepEnd would otherwise print once per step.
    this.#warn(`firedrill: reporter "${reporter}" failed in ${hook}: ${error.message}`);
  }

  #safe(fn: () => boolean): boolean {
    try {
      return fn();
    } catch {
      return false;
    }
  }
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
