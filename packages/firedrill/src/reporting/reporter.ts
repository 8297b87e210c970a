import type { ExitCode } from '../core/exit.ts';
import type { Result, ResultKind, StepResult, TimelineEvent } from '../core/result.ts';

/** What a run holds: one kind of definition, or several at once (`firedrill run` over a whole suite). */
export type RunKind = ResultKind | 'mixed';

export interface RunContext {
  kind: RunKind;
  /** How many results the run will produce (definitions × attempts are not counted twice). */
  total: number;
  runId: string;
  environment?: string;
  /** Epoch milliseconds. */
  startedAt: number;
}

/**
 * A probe, scenario or drill while it runs, before its `Result` exists. Live hooks get this
 * instead of a bare id so that a reporter can print a name without keeping its own map; `id`
 * is the same as the final `Result.id`.
 */
export interface ResultRef {
  id: string;
  name: string;
  kind: ResultKind;
  /** Epoch milliseconds; drill timeline offsets (`+1.42s`) are measured from here. */
  start: number;
  /** 1 for the first try; a retry starts a new ref with the same id and attempt + 1. */
  attempt?: number;
}

export interface RunSummary {
  /** Final results in the order they completed (a retried item appears once, as its last attempt). */
  results: Result[];
  exitCode: ExitCode;
  durationMs: number;
}

/**
 * Every output format implements this. Every hook is optional: a file reporter only needs
 * `onEnd`, a live console wants them all.
 *
 * Order for one run: `onBegin`, then per item `onResultBegin` → (`onStepEnd` | `onEvent`)* →
 * `onResult`, items possibly interleaved when they run concurrently, then `onEnd` once.
 *
 * Live hooks (`onResultBegin`, `onStepEnd`, `onEvent`) are fire-and-forget: the runner never
 * waits for them, so a slow reporter cannot slow a probe's timings. `onBegin`, `onResult` and
 * `onEnd` may return a promise and are awaited (with a timeout) before the run ends.
 */
export interface Reporter {
  onBegin?(ctx: RunContext): void | Promise<void>;
  /** A probe, scenario or drill attempt started. */
  onResultBegin?(ref: ResultRef): void;
  /** A step finished (pass, fail, error or skipped); `step` is final. */
  onStepEnd?(ref: ResultRef, step: StepResult): void;
  /** A drill recorded a timeline event (fault injected, alert firing, Slack message seen, …). */
  onEvent?(ref: ResultRef, event: TimelineEvent): void;
  /** An item finished, after its last attempt. */
  onResult?(result: Result): void | Promise<void>;
  /** The run finished. File reporters write here. */
  onEnd?(summary: RunSummary): void | Promise<void>;
  /** True when the reporter writes to stdout, so the CLI can warn when two of them would interleave. */
  printsToStdout?(): boolean;
}

export type ReporterHook = Exclude<keyof Reporter, 'printsToStdout'>;

/** Live hooks are not awaited; see `Reporter`. */
export const LIVE_HOOKS: ReadonlySet<ReporterHook> = new Set(['onResultBegin', 'onStepEnd', 'onEvent']);

/** The run kind `onBegin` announces for a list of item kinds. */
export function runKindOf(kinds: Iterable<ResultKind>): RunKind {
  const distinct = new Set(kinds);
  if (distinct.size === 1) return [...distinct][0]!;
  return 'mixed';
}
