import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { type AttemptRecord, errorInfo, type Result, type StepResult } from '../core/result.ts';
import { runAttempt } from './attempt.ts';
import { type BrowserLauncher, BrowserPool } from './browser-pool.ts';
import type { ProbeDefinition, ResolvedEnvironment } from './define.ts';

/** A probe attempt while it runs; the same shape as the reporters' `ResultRef`. */
export interface ProbeRef {
  id: string;
  name: string;
  kind: 'probe';
  start: number;
  attempt: number;
}

/** Live hooks, shaped like the `Reporter` ones so a reporter multiplexer can be passed as is. */
export interface RunnerEvents {
  onResultBegin?(ref: ProbeRef): void;
  onStepEnd?(ref: ProbeRef, step: StepResult): void;
}

export interface ProbeRunnerOptions {
  env: ResolvedEnvironment;
  logger: Logger;
  /** Screenshots and traces go to `<artifactsDir>/<probe id>/<runId>/`. */
  artifactsDir: string;
  /** How to start the one warm browser; called at most once until that browser dies. */
  launchBrowser?: BrowserLauncher;
  events?: RunnerEvents;
}

export interface RunOptions {
  /** Aborting ends the run at once as an error (a one-shot run's Ctrl-C). The scheduler lets runs finish. */
  signal?: AbortSignal;
  /** Called when the run starts, before its first attempt (the scheduler measures lateness here). */
  onStart?(runId: string): void;
}

export interface ProbeRunner {
  /** Runs one probe with its timeout and retries. Never throws: every failure is in the Result. */
  run(probe: ProbeDefinition, opts?: RunOptions): Promise<Result>;
  /** Runs many, at most `concurrency` at once; results in input order. */
  runAll(
    probes: readonly ProbeDefinition[],
    opts?: RunOptions & { concurrency?: number; onResult?(r: Result): void },
  ): Promise<Result[]>;
  /** True once a browser was started: http-only runs never start one. */
  readonly browserLaunched: boolean;
  close(): Promise<void>;
}

// Per process: random, so two agents never share run ids; then time and a counter, so no
// random bytes are drawn per run (that showed in the HTTP benchmark's profile).
const PROCESS_TAG = randomBytes(3).toString('hex');
let runCounter = 0;

/** Short and unique: time-ordered base36, a per-process random tag, a counter. */
export function newRunId(): string {
  runCounter = (runCounter + 1) % 1296;
  return `${Date.now().toString(36)}${PROCESS_TAG}${runCounter.toString(36).padStart(2, '0')}`;
}

export function createProbeRunner(opts: ProbeRunnerOptions): ProbeRunner {
  const pool = opts.launchBrowser ? new BrowserPool(opts.launchBrowser) : undefined;
  const events = opts.events ?? {};

  async function run(probe: ProbeDefinition, runOpts: RunOptions = {}): Promise<Result> {
    const runId = newRunId();
    // A pino child per run costs more than a whole loopback probe; most runs never log.
    let child: Logger | undefined;
    const log = () => {
      child ??= opts.logger.child({ component: 'probe', id: probe.id, runId });
      return child;
    };
    const counter = { n: 0 };
    const maxAttempts = 1 + Math.max(0, probe.retries ?? 0);
    const base = {
      id: probe.id,
      name: probe.name ?? probe.id,
      kind: 'probe' as const,
      probeKind: probe.kind,
      runId,
      environment: opts.env.name,
      location: opts.env.location,
      ...(probe.tags?.length ? { tags: probe.tags } : {}),
    };
    runOpts.onStart?.(runId);
    let attempt = 0;
    // Kept for retried runs only: the last attempt's steps replace the earlier ones', and this is
    // all that is left of why those failed.
    const attempts: AttemptRecord[] = [];
    try {
      for (;;) {
        attempt++;
        const ref: ProbeRef = { id: probe.id, name: base.name, kind: 'probe', start: Date.now(), attempt };
        safely(() => events.onResultBegin?.(ref));
        const out = await runAttempt({
          probe,
          env: opts.env,
          runId,
          attempt,
          counter,
          log,
          browser: pool,
          artifactsDir: path.join(opts.artifactsDir, probe.id, runId),
          signal: runOpts.signal,
          onStepEnd: (step) => events.onStepEnd?.(ref, step),
        });
        const last = out.status === 'pass' || attempt >= maxAttempts || runOpts.signal?.aborted === true;
        attempts.push({
          attempt,
          status: out.status,
          start: out.start,
          durationMs: out.durationMs,
          // Without the stack: the final attempt keeps its own, and retries must not multiply a line's size.
          ...(out.error
            ? { error: { message: out.error.message, ...(out.error.type ? { type: out.error.type } : {}) } }
            : {}),
        });
        if (!last) {
          log().info({ attempt, status: out.status, error: out.error?.message }, 'attempt failed; retrying');
          continue;
        }
        const result: Result = {
          ...base,
          status: out.status,
          start: out.start,
          durationMs: out.durationMs,
          attempt,
          ...(out.status === 'pass' && attempt > 1 ? { flaky: true } : {}),
          ...(attempts.length > 1 ? { attempts } : {}),
          steps: out.steps,
          ...(out.error ? { error: out.error } : {}),
          artifacts: out.artifacts,
          metrics: out.metrics,
          ...(out.frontendErrors ? { frontendErrors: out.frontendErrors } : {}),
        };
        if (opts.logger.isLevelEnabled('debug')) {
          log().debug(
            { status: result.status, durationMs: Math.round(result.durationMs), attempt },
            'probe finished',
          );
        }
        return result;
      }
    } catch (err) {
      // Only a bug in firedrill itself gets here; it still becomes a Result, never a crash.
      log().error({ err }, 'probe runner failed');
      return {
        ...base,
        status: 'error',
        start: Date.now(),
        durationMs: 0,
        attempt,
        steps: [],
        error: errorInfo(err, 'internal'),
        artifacts: [],
      };
    }
  }

  async function runAll(
    probes: readonly ProbeDefinition[],
    o: RunOptions & { concurrency?: number; onResult?(r: Result): void } = {},
  ): Promise<Result[]> {
    const results: Result[] = new Array(probes.length);
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const i = next++;
        results[i] = await run(probes[i]!, o);
        safely(() => o.onResult?.(results[i]!));
      }
    };
    const width = Math.max(1, Math.min(o.concurrency ?? 4, probes.length));
    await Promise.all(Array.from({ length: width }, worker));
    return results;
  }

  return {
    run,
    runAll,
    get browserLaunched() {
      return pool?.launched ?? false;
    },
    close: async () => {
      await pool?.close();
    },
  };
}

function safely(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // Live hooks are observers; one that throws must not change the run.
  }
}
