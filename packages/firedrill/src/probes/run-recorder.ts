import { AsyncLocalStorage } from 'node:async_hooks';
import type { StepResult } from '../core/result.ts';
import type { HttpExchangeSink, HttpHop, HttpResponse } from './http/types.ts';
import { classify, ProbeTimeoutError } from './outcome.ts';

interface OpenStep {
  recorder: RunRecorder;
  name: string;
  start: number;
  t0: number;
  requestIds: string[];
  timings: Record<string, number>;
}

/**
 * One storage for every recorder (the store names its step, and steps belong to one recorder):
 * a storage per run would re-arm Node's promise hooks once per run.
 */
const currentStep = new AsyncLocalStorage<OpenStep>();

/** Name of the step that collects requests sent outside any `step()`. */
export const IMPLICIT_STEP = 'main';
const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

/**
 * Everything one attempt records: steps with their timings, request ids and errors, plus
 * run-level numbers. The current step is tracked with AsyncLocalStorage, so concurrent steps
 * (`Promise.all([step(a), step(b)])`) each get their own requests. Once sealed (deadline or end),
 * a probe that ignored its signal can no longer change what was reported.
 */
export class RunRecorder implements HttpExchangeSink {
  readonly metrics: Record<string, number> = {};
  readonly #steps: StepResult[] = [];
  readonly #open = new Set<OpenStep>();
  #implicit: OpenStep | undefined;
  #sealed = false;
  readonly #stepErrors = new WeakSet<object>();
  /**
   * Request ids sent by something other than `ctx.http` since the last call (the browser page's
   * requests), attributed to the step that just ended.
   */
  pullRequestIds: (() => string[]) | undefined;

  constructor(
    readonly runId: string,
    /** Shared by all attempts of a run, so request ids stay unique across retries. */
    private readonly counter: { n: number },
    private readonly onStepEnd: (step: StepResult) => void,
    private readonly signal: AbortSignal,
  ) {}

  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.#sealed || this.signal.aborted) throw this.signal.reason ?? new Error('run already ended');
    const parent = this.#store();
    const open: OpenStep = {
      recorder: this,
      name: parent ? `${parent.name} › ${name}` : name,
      start: Date.now(),
      t0: performance.now(),
      requestIds: [],
      timings: {},
    };
    this.#open.add(open);
    try {
      const value = await currentStep.run(open, fn);
      this.#close(open, 'pass');
      return value;
    } catch (err) {
      if (typeof err === 'object' && err !== null) this.#stepErrors.add(err);
      this.#close(open, 'fail', err);
      throw err;
    }
  }

  requestId(): string {
    const id = `${this.runId}-${++this.counter.n}`;
    if (!this.#sealed) this.#current().requestIds.push(id);
    return id;
  }

  onExchange(ex: { requestId: string; hops: HttpHop[]; response?: HttpResponse; error?: unknown }): void {
    if (this.#sealed) return;
    const step = this.#current();
    const t = step.timings;
    for (const hop of ex.hops) for (const p of PHASES) t[p] = (t[p] ?? 0) + hop.timings[p];
    t.http_requests = (t.http_requests ?? 0) + 1;
    const res = ex.response;
    if (!res) return;
    t.http_status_code = res.status;
    this.metrics.http_status_code = res.status;
    this.metrics.http_redirects = (this.metrics.http_redirects ?? 0) + res.redirects;
    if (res.certExpiry !== undefined) {
      const prev = this.metrics.ssl_earliest_cert_expiry;
      this.metrics.ssl_earliest_cert_expiry =
        prev === undefined ? res.certExpiry : Math.min(prev, res.certExpiry);
    }
  }

  recordMetric(name: string, value: number): void {
    if (!this.#sealed) this.metrics[name] = value;
  }

  /** True when `err` was thrown by a step (and is already recorded there). */
  thrownByStep(err: unknown): boolean {
    return typeof err === 'object' && err !== null && this.#stepErrors.has(err);
  }

  /**
   * Ends recording. Steps still open (the deadline hit them) are closed as errors naming the cause;
   * the implicit step, when requests went outside any step, spans the attempt and carries an
   * error thrown outside all steps.
   */
  seal(cause?: unknown): StepResult[] {
    if (!this.#sealed) {
      const timeout = cause instanceof ProbeTimeoutError;
      const late = this.#pull();
      if (late.length > 0) this.#current().requestIds.push(...late);
      for (const open of [...this.#open]) {
        this.#close(
          open,
          'error',
          timeout ? new StepTimeout(open.name, cause) : (cause ?? new Error('did not finish')),
        );
      }
      if (this.#implicit) {
        const outside = cause !== undefined && !timeout && !this.thrownByStep(cause);
        if (outside) this.#close(this.#implicit, 'fail', cause);
        else this.#close(this.#implicit, 'pass');
      }
      this.#sealed = true;
    }
    return [...this.#steps].sort((a, b) => a.start - b.start);
  }

  /** Steps still running, innermost last: where a timeout hit. */
  openStepNames(): string[] {
    return [...this.#open].map((s) => s.name);
  }

  #pull(): string[] {
    try {
      return this.pullRequestIds?.() ?? [];
    } catch {
      return [];
    }
  }

  /** The step running here, if it belongs to this run (a probe may call into another run's code). */
  #store(): OpenStep | undefined {
    const s = currentStep.getStore();
    return s?.recorder === this ? s : undefined;
  }

  #current(): OpenStep {
    const store = this.#store();
    if (store) return store;
    this.#implicit ??= {
      recorder: this,
      name: IMPLICIT_STEP,
      start: Date.now(),
      t0: performance.now(),
      requestIds: [],
      timings: {},
    };
    return this.#implicit;
  }

  #close(open: OpenStep, status: 'pass' | 'fail' | 'error', err?: unknown): void {
    if (this.#sealed) return;
    this.#open.delete(open);
    open.requestIds.push(...this.#pull());
    const step: StepResult = {
      name: open.name,
      status,
      start: open.start,
      durationMs: performance.now() - open.t0,
    };
    if (err !== undefined) {
      const outcome = classify(err);
      step.status = status === 'error' ? 'error' : outcome.status;
      step.error = outcome.error;
    }
    if (Object.keys(open.timings).length > 0) step.timings = open.timings;
    if (open.requestIds.length > 0) step.requestIds = open.requestIds;
    this.#steps.push(step);
    try {
      this.onStepEnd(step);
    } catch {
      // A reporter's live hook must never change a probe's outcome.
    }
  }
}

class StepTimeout extends ProbeTimeoutError {
  constructor(step: string, cause: ProbeTimeoutError) {
    super(cause.timeoutMs);
    this.message = `step "${step}" did not finish: ${cause.message}`;
  }
}
