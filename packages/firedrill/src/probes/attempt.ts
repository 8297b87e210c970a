import type { Logger } from 'pino';
import {
  type Artifact,
  type ErrorInfo,
  MAX_FRONTEND_ERRORS,
  type Status,
  type StepResult,
} from '../core/result.ts';
import type { BrowserSession, FinishResult } from './browser/index.ts';
import type { BrowserPool } from './browser-pool.ts';
import {
  type BrowserProbeContext,
  DEFAULT_PROBE_TIMEOUT_MS,
  type HttpProbeContext,
  type ProbeDefinition,
  type ResolvedEnvironment,
} from './define.ts';
import { createHttpClient } from './http/client.ts';
import { BrowserCrashError, classify, ProbeTimeoutError, RunAbortedError, worse } from './outcome.ts';
import { RunRecorder } from './run-recorder.ts';

export interface AttemptInput {
  probe: ProbeDefinition;
  env: ResolvedEnvironment;
  runId: string;
  attempt: number;
  counter: { n: number };
  /** Built on first use. */
  log: () => Logger;
  browser: BrowserPool | undefined;
  artifactsDir: string;
  /** Aborting it (Ctrl-C in a one-shot run) ends the attempt at once as an error. */
  signal?: AbortSignal | undefined;
  onStepEnd(step: StepResult): void;
}

export interface AttemptOutcome {
  status: Status;
  start: number;
  durationMs: number;
  steps: StepResult[];
  error?: ErrorInfo;
  artifacts: Artifact[];
  metrics: Record<string, number>;
  /** Browser runs that saw any: uncaught page errors and Faro exceptions. */
  frontendErrors?: string[];
}

/** One shared reason: a fresh Error per run would cost a stack capture for nothing. */
const RUN_ENDED = new Error('run ended');

/** A browser session's `finish` saves screenshots and traces; a wedged one must not hold the run. */
const FINISH_TIMEOUT_MS = 15_000;

/**
 * One try of a probe, bounded by its timeout. The deadline is a race, not a request: a probe that
 * ignores its AbortSignal still ends here on time as `error`/`timeout`, and whatever it does
 * afterwards can no longer touch the recorded steps.
 */
export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const { probe, env, runId } = input;
  const timeoutMs = probe.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const controller = new AbortController();
  const start = Date.now();
  const t0 = performance.now();
  // Built only when it fires: an Error captures a stack, and most runs never time out.
  let timeout: ProbeTimeoutError | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onOuterAbort: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout = new ProbeTimeoutError(timeoutMs);
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
    onOuterAbort = () => {
      const reason = new RunAbortedError(input.signal?.reason);
      controller.abort(reason);
      reject(reason);
    };
    if (input.signal?.aborted) onOuterAbort();
    else input.signal?.addEventListener('abort', onOuterAbort, { once: true });
  });
  ended.catch(() => {});

  const recorder = new RunRecorder(runId, input.counter, input.onStepEnd, controller.signal);
  const base: HttpProbeContext = {
    env,
    runId,
    attempt: input.attempt,
    get log() {
      return input.log();
    },
    signal: controller.signal,
    step: (name, fn) => recorder.step(name, fn),
    recordMetric: (name, value) => recorder.recordMetric(name, value),
    requestId: () => recorder.requestId(),
    http: createHttpClient({ baseUrl: env.baseUrl, sink: recorder, signal: controller.signal }),
  };

  let pendingSession: Promise<BrowserSession> | undefined;
  let session: BrowserSession | undefined;
  /** Launching Chromium (first run only) and opening this run's context: before the first step, in no step. */
  let browserStartMs: number | undefined;
  let thrown: unknown;
  try {
    if (probe.kind === 'browser') {
      if (!input.browser) throw new BrowserCrashError('this runner has no browser runtime', 'browser-setup');
      pendingSession = input.browser.openSession({
        runId,
        artifactsDir: input.artifactsDir,
        signal: controller.signal,
        baseUrl: env.baseUrl,
        secrets: [env.credentials?.password, env.faultToken].filter((s): s is string => !!s),
      });
      const opening = performance.now();
      session = await Promise.race([pendingSession, ended]);
      browserStartMs = performance.now() - opening;
      const opened = session;
      recorder.pullRequestIds = () => opened.takeRequestIds();
      const ctx: BrowserProbeContext = { ...base, page: session.page, context: session.context };
      await Promise.race([Promise.resolve().then(() => probe.run(ctx)), ended]);
    } else {
      await Promise.race([Promise.resolve().then(() => probe.run(base)), ended]);
    }
  } catch (err) {
    thrown = err;
  } finally {
    clearTimeout(timer);
    if (onOuterAbort) input.signal?.removeEventListener('abort', onOuterAbort);
  }

  const openSteps = recorder.openStepNames();
  const steps = recorder.seal(thrown);
  const durationMs = performance.now() - t0;
  let status: Status = 'pass';
  let error: ErrorInfo | undefined;
  // A probe that caught a failed step and went on still fails: a failure is never hidden.
  for (const s of steps) status = worse(status, s.status);
  // The first failure is the cause; a cleanup step failing after it (in a `finally`) is not.
  error = steps.find((s) => s.error)?.error;
  if (thrown !== undefined) {
    const outcome = classify(thrown);
    status = worse(status, outcome.status);
    if (timeout && thrown === timeout) {
      const where = openSteps.length ? ` in step "${openSteps[openSteps.length - 1]}"` : '';
      error = { message: `${timeout.message}${where}`, type: 'timeout' };
    } else if (!error || !recorder.thrownByStep(thrown)) {
      error = outcome.error;
    }
  }
  // Requests the probe left running without awaiting them end with the run.
  if (!controller.signal.aborted) controller.abort(RUN_ENDED);

  const metrics: Record<string, number> = {
    ...recorder.metrics,
    ...(browserStartMs !== undefined && { browser_start_ms: Math.round(browserStartMs * 10) / 10 }),
  };
  const artifacts: Artifact[] = [];
  let frontendErrors: string[] | undefined;
  if (session) {
    const fin = await finishSession(session, status !== 'pass', input.log());
    artifacts.push(...fin.artifacts);
    Object.assign(metrics, fin.metrics);
    if (fin.errors.length > 0) {
      metrics.frontend_errors = fin.errors.length;
      frontendErrors = fin.errors.slice(0, MAX_FRONTEND_ERRORS);
    }
    // A flow that "failed" because its browser or its page's renderer died says nothing about
    // the app: the run and the steps the crash broke are the browser's errors, not failures.
    const pageCrashed = fin.errors.some((e) => e.startsWith('PageCrash'));
    if ((fin.crashed || pageCrashed) && status === 'fail') {
      status = 'error';
      const what = fin.crashed ? 'browser' : "page's renderer";
      for (const s of steps) {
        if (s.status !== 'fail' || s.error?.type === 'assertion') continue;
        s.status = 'error';
        s.error = { ...(s.error ?? { message: 'no error recorded' }), type: 'browser-crash' };
      }
      error = {
        message: `${what} crashed during the run: ${error?.message ?? 'no error recorded'}`,
        type: 'browser-crash',
      };
    }
  } else if (pendingSession) {
    // Opened after the deadline: close it in the background, or its context would leak.
    pendingSession.then((late) => late.finish({ failed: true })).catch(() => {});
  }
  return {
    status,
    start,
    durationMs,
    steps,
    ...(error ? { error } : {}),
    artifacts,
    metrics,
    ...(frontendErrors ? { frontendErrors } : {}),
  };
}

async function finishSession(session: BrowserSession, failed: boolean, log: Logger): Promise<FinishResult> {
  const none: FinishResult = {
    artifacts: [],
    metrics: {},
    errors: [],
    requestIds: [],
    crashed: false,
    aborted: false,
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const finishing = session.finish({ failed });
    const limit = new Promise<typeof none>((resolve) => {
      timer = setTimeout(() => {
        log.warn(
          { timeoutMs: FINISH_TIMEOUT_MS },
          'browser session did not finish in time; artifacts dropped',
        );
        resolve(none);
      }, FINISH_TIMEOUT_MS);
    });
    const fin = await Promise.race([finishing, limit]);
    for (const e of fin.errors) log.warn({ frontendError: e }, 'frontend error during probe');
    return fin;
  } catch (err) {
    log.warn({ err }, 'browser session finish failed');
    return none;
  } finally {
    clearTimeout(timer);
  }
}
