import { isSetupErrorType } from './errors.ts';
import type { Mark } from './timeline.ts';
/**
 * The one result model. Every probe run, load scenario and drill produces a `Result`;
 * reporters and metrics only ever read these. Plain data so that it survives JSON lines,
 * worker boundaries and the HTML report unchanged.
 */

export type ResultKind = 'probe' | 'scenario' | 'drill';
export type Status = 'pass' | 'fail' | 'error' | 'skipped';

export interface StepResult {
  name: string;
  status: Status;
  /** Epoch milliseconds. */
  start: number;
  durationMs: number;
  error?: ErrorInfo;
  /** Extra numbers a step measured, e.g. HTTP phase timings in ms. */
  timings?: Record<string, number>;
  /** Request ids the step sent, so logs can be matched back to it. */
  requestIds?: string[];
}

/** One try of a retried run: when it ran, how it ended, and why. */
export interface AttemptRecord {
  /** 1-based, as `Result.attempt` counts. */
  attempt: number;
  status: Status;
  /** Epoch milliseconds. */
  start: number;
  durationMs: number;
  error?: ErrorInfo;
}

export interface ErrorInfo {
  message: string;
  /** Short machine-readable class: 'timeout', 'assertion', 'http', 'browser-crash', ... */
  type?: string;
  stack?: string;
}

export interface Artifact {
  kind: 'screenshot' | 'trace' | 'console' | 'log' | 'other';
  /** Path relative to the report directory, or absolute. */
  path: string;
  contentType?: string;
  description?: string;
}

/**
 * The hops of an alert path, in the order a drill walks them; one swimlane each in the HTML
 * report. Every timeline event and condition result names its own, set by the code that
 * recorded it: nothing downstream guesses a lane from wording.
 */
export const HOPS = ['inject', 'fire', 'notify', 'log', 'rollback', 'resolve'] as const;
export type Hop = (typeof HOPS)[number];
export type Lane = Hop | 'preflight' | 'other';
export const LANES: readonly Lane[] = ['preflight', ...HOPS, 'other'];

/** A condition as the drill planned it: its kind's fields, every duration in ms. */
export type ConditionData = { type: string; within: number } & Record<string, unknown>;

/** One condition a drill checked: what was expected, what was seen, and when it held. */
export interface ConditionResult<C extends ConditionData = ConditionData> {
  condition: C;
  /** The hop this condition proves; its lane in the report. */
  hop: Lane;
  /** `observe` while the fault is on; `resolve` after the rollback. */
  phase: 'observe' | 'resolve';
  /** The condition's `within`, in ms. */
  withinMs: number;
  /** Epoch ms the condition gave up at: `withinMs` after the injection (the rollback for `resolve`). */
  deadline: number;
  status: Status;
  /** What was actually observed (last value when failing). */
  actual?: unknown;
  /** Epoch ms when the condition was first satisfied. */
  satisfiedAt?: number;
  message?: string;
  /**
   * The earlier condition whose failure made this one fail too (no alert fired, so no message
   * could arrive): its `condition.type`, and its alert or channel. Shown as a consequence, not
   * as a second breakage.
   */
  consequenceOf?: string;
  /** Moments this condition saw (pending, firing, Slack posted, …), which the hops are computed from. */
  marks?: Partial<Record<Mark, number>>;
}

export interface TimelineEvent {
  /** Epoch milliseconds. */
  at: number;
  phase: 'preflight' | 'inject' | 'observe' | 'rollback' | 'resolve';
  /** The hop the event belongs to, set where it was recorded. */
  lane: Lane;
  event: string;
  detail?: Record<string, unknown>;
}

export interface Result {
  id: string;
  name: string;
  kind: ResultKind;
  status: Status;
  /** Unique per run; appears in firedrill's logs and in request ids it sends. */
  runId: string;
  /** Epoch milliseconds. */
  start: number;
  durationMs: number;
  environment?: string;
  location?: string;
  attempt?: number;
  /** True when the run passed only after a retry. */
  flaky?: boolean;
  /**
   * Runs that were retried only: every attempt in order, the last one (this Result's own) too.
   * The steps and artifacts are the last attempt's; this keeps why the earlier ones failed, so a
   * flaky pass still says what went wrong the first time.
   */
  attempts?: AttemptRecord[];
  steps: StepResult[];
  error?: ErrorInfo;
  artifacts: Artifact[];
  /** Probe-level numbers: web vitals, HTTP status, cert expiry, ... */
  metrics?: Record<string, number>;
  /**
   * Probes only: which runtime ran it. `kind` says probe/scenario/drill, and metrics label
   * probes `kind="http"|"browser"`; without this a Result read back from results.jsonl (a
   * replay, another process) no longer knows which, and its series would carry the wrong label.
   */
  probeKind?: 'http' | 'browser';
  /**
   * Browser probes only: the page's uncaught errors and Faro exceptions, each once (at most
   * `MAX_FRONTEND_ERRORS`; `metrics.frontend_errors` keeps the full count). Kept on passing runs
   * too: a flow that works while the page throws is worth seeing in reports, not only in logs.
   */
  frontendErrors?: string[];
  tags?: string[];
  /** Drills only. */
  timeline?: TimelineEvent[];
  conditions?: ConditionResult[];
  rollback?: { status: Status; at?: number; error?: ErrorInfo };
  /** Drills only, when one did not pass: the hop where the chain broke, in one sentence. */
  diagnosis?: Diagnosis;
}

/** Where a drill's chain broke, from the evidence the systems keep; first in every report. */
export interface Diagnosis {
  hop: Lane;
  /** When it was known: `preflight` means refused from the live config, nothing injected. */
  phase: 'preflight' | 'observe' | 'resolve';
  message: string;
}

/** A page that throws in a loop must not turn every results.jsonl line into megabytes. */
export const MAX_FRONTEND_ERRORS = 20;

export function errorInfo(err: unknown, type?: string): ErrorInfo {
  if (err instanceof Error) {
    const t = type ?? (err as { type?: string }).type ?? (err.name !== 'Error' ? err.name : undefined);
    return { message: err.message, ...(t ? { type: t } : {}), ...(err.stack ? { stack: err.stack } : {}) };
  }
  return { message: String(err), ...(type ? { type } : {}) };
}

/** The first error in these results that is the setup's fault (exit 2), not the system's. */
export function setupErrorOf(results: readonly Result[]): ErrorInfo | undefined {
  for (const r of results) {
    if (isSetupErrorType(r.error?.type)) return r.error;
    for (const s of r.steps) if (isSetupErrorType(s.error?.type)) return s.error;
  }
  return undefined;
}
