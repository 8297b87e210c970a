import { type ErrorInfo, errorInfo, type Status } from '../core/result.ts';

/** The run's own deadline passed. Always `error`: the probe could not say whether the flow works. */
export class ProbeTimeoutError extends Error {
  override name = 'ProbeTimeoutError';
  readonly type = 'timeout';
  constructor(readonly timeoutMs: number) {
    super(`probe timed out after ${timeoutMs} ms`);
  }
}

/** The caller stopped the run (Ctrl-C): no verdict on the target, so `error`. */
export class RunAbortedError extends Error {
  override name = 'RunAbortedError';
  readonly type = 'aborted';
  constructor(reason: unknown) {
    super(`run aborted: ${(reason as Error | undefined)?.message ?? String(reason)}`, { cause: reason });
  }
}

/** The browser side broke (launch failed, page or browser crashed): an `error`, not a failing flow. */
export class BrowserCrashError extends Error {
  override name = 'BrowserCrashError';
  constructor(
    message: string,
    /** 'browser-crash', or 'browser-setup' when Chromium is missing or unusable. */
    readonly type = 'browser-crash',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'SyntaxError', 'RangeError']);
// Playwright's wording when the page, context or browser under a probe goes away.
const CRASH_TEXT =
  /page crashed|target (page, context or browser )?(has been )?closed|browser has (been closed|disconnected)/i;

export interface Outcome {
  status: Extract<Status, 'fail' | 'error'>;
  error: ErrorInfo;
}

/**
 * `fail` means the system under test misbehaved: an assertion, an HTTP failure, a selector that
 * never appeared. `error` means the probe could not run to a verdict: its deadline passed, the
 * browser crashed, or the probe code itself is broken (a TypeError) or threw a non-Error.
 */
export function classify(err: unknown): Outcome {
  if (err instanceof ProbeTimeoutError) return { status: 'error', error: errorInfo(err, 'timeout') };
  if (err instanceof RunAbortedError) return { status: 'error', error: errorInfo(err, 'aborted') };
  if (err instanceof BrowserCrashError) return { status: 'error', error: errorInfo(err, err.type) };
  if (!(err instanceof Error)) return { status: 'error', error: errorInfo(err, 'exception') };
  const type = (err as { type?: unknown }).type;
  if (type === 'browser-setup') return { status: 'error', error: errorInfo(err, 'browser-setup') };
  if (type === 'assertion') return { status: 'fail', error: errorInfo(err, 'assertion') };
  if (CRASH_TEXT.test(err.message)) return { status: 'error', error: errorInfo(err, 'browser-crash') };
  if (PROGRAMMING_ERRORS.has(err.name)) return { status: 'error', error: errorInfo(err) };
  return { status: 'fail', error: errorInfo(err, typeof type === 'string' ? type : undefined) };
}

/** The worse of two statuses: error > fail > pass. */
export function worse(a: Status, b: Status): Status {
  const rank: Record<Status, number> = { skipped: 0, pass: 1, fail: 2, error: 3 };
  return rank[b] > rank[a] ? b : a;
}
