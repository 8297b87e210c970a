import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Artifact, Result, StepResult } from '../../../../packages/firedrill/src/core/result.ts';
import { errorInfo } from '../../../../packages/firedrill/src/core/result.ts';
import type { BrowserRuntime } from '../../../../packages/firedrill/src/probes/browser/runtime.ts';
import type {
  BrowserProbeContext,
  BrowserProbeDefinition,
} from '../../../../packages/firedrill/src/probes/define.ts';
import type { HttpClient } from '../../../../packages/firedrill/src/probes/http/types.ts';

/**
 * Just enough of a runner to drive probe `run` functions through the browser runtime in tests:
 * steps with timings and request ids, a timeout through the run's AbortSignal, `finish` always.
 * The real runner (src/runner) owns retries, metrics and reporting.
 */
export interface HarnessRun {
  result: Result;
  frontendErrors: string[];
  crashed: boolean;
}

export interface HarnessOptions {
  baseUrl: string;
  artifactsDir: string;
  timeoutMs?: number;
  credentials?: { username: string; password: string };
  /** Called once the session is open, e.g. to kill the browser mid-run. */
  onSession?: (ctx: BrowserProbeContext) => void;
}

const silent = pino({ level: 'silent' });

const noHttp = new Proxy({} as HttpClient, {
  get() {
    throw new Error('http client is not available in the browser test harness');
  },
});

export async function runProbe(
  def: BrowserProbeDefinition,
  runtime: BrowserRuntime,
  o: HarnessOptions,
): Promise<HarnessRun> {
  const runId = `${def.id}-${randomBytes(4).toString('hex')}`;
  const start = Date.now();
  const timeoutMs = o.timeoutMs ?? def.timeoutMs ?? 30_000;
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(Object.assign(new Error(`run timed out after ${timeoutMs} ms`), { type: 'timeout' })),
    timeoutMs,
  );
  const steps: StepResult[] = [];
  let status: Result['status'] = 'pass';
  let error: Result['error'];
  let artifacts: Artifact[] = [];
  let metrics: Record<string, number> = {};
  let frontendErrors: string[] = [];
  let crashed = false;
  try {
    const session = await runtime.openSession({
      runId,
      artifactsDir: o.artifactsDir,
      signal: controller.signal,
    });
    let n = 0;
    const ctx: BrowserProbeContext = {
      env: {
        name: 'test',
        baseUrl: o.baseUrl,
        stack: false,
        location: 'test',
        allowFaults: true,
        production: false,
        credentials: o.credentials ?? { username: 'demo', password: 'demo-password' },
      },
      runId,
      attempt: 1,
      log: silent,
      signal: controller.signal,
      page: session.page,
      context: session.context,
      http: noHttp,
      recordMetric: (name, value) => {
        metrics[name] = value;
      },
      requestId: () => `${runId}-${++n}`,
      step: async (name, fn) => {
        const s: StepResult = { name, status: 'pass', start: Date.now(), durationMs: 0 };
        steps.push(s);
        const t = performance.now();
        try {
          return await fn();
        } catch (err) {
          s.status = controller.signal.aborted ? 'error' : 'fail';
          s.error = errorInfo(err);
          throw err;
        } finally {
          s.durationMs = performance.now() - t;
          s.requestIds = session.takeRequestIds();
        }
      },
    };
    o.onSession?.(ctx);
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
    );
    aborted.catch(() => {});
    try {
      await Promise.race([def.run(ctx), aborted]);
    } catch (err) {
      const timedOut = controller.signal.aborted;
      status = timedOut ? 'error' : (err as { type?: string }).type === 'assertion' ? 'fail' : 'error';
      error = errorInfo(err, timedOut ? 'timeout' : undefined);
    }
    const finished = await session.finish({ failed: status !== 'pass' });
    artifacts = finished.artifacts;
    metrics = { ...finished.metrics, ...metrics };
    frontendErrors = finished.errors;
    crashed = finished.crashed;
    if (crashed && status !== 'pass')
      error = { ...(error ?? { message: 'browser crashed' }), type: 'browser-crash' };
  } catch (err) {
    status = 'error';
    error = errorInfo(err);
  } finally {
    clearTimeout(timer);
  }
  const result: Result = {
    id: def.id,
    name: def.name ?? def.id,
    kind: 'probe',
    status,
    runId,
    start,
    durationMs: Date.now() - start,
    steps,
    artifacts,
    metrics,
    ...(error ? { error } : {}),
  };
  return { result, frontendErrors, crashed };
}
