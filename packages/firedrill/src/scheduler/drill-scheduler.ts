import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Result } from '../core/result.ts';
import type { DrillPlan } from '../drills/plan.ts';
import type { DrillMetrics } from '../metrics/drill-metrics.ts';

export interface DrillSchedulerOptions {
  /** Drills to schedule; each must have a `schedule`. */
  drills: readonly DrillPlan[];
  environment: string;
  /** Runs one drill to its end, rollback included; `signal` aborts it (the fault is still rolled back). */
  run(drill: DrillPlan, signal: AbortSignal): Promise<Result>;
  metrics: DrillMetrics;
  logger: Logger;
  onResult?(result: Result): void | Promise<void>;
}

/**
 * One node-cron task per drill, and one drill at a time across all of them: two drills on one
 * app would each see the other's fault. A tick while any drill runs is skipped and counted, never
 * queued, like a probe's: a backlog of faults waiting to be injected is the last thing a team
 * wants from a nightly job.
 */
export class DrillScheduler {
  readonly #opts: DrillSchedulerOptions;
  readonly #tasks: ScheduledTask[] = [];
  readonly #abort = new AbortController();
  #running: { id: string; done: Promise<void> } | undefined;
  #stopping = false;
  readonly stats = { started: 0, skipped: 0, finished: 0 };

  constructor(opts: DrillSchedulerOptions) {
    this.#opts = opts;
    for (const drill of opts.drills) {
      if (!drill.schedule) throw new Error(`drill "${drill.id}" has no schedule`);
      opts.metrics.describe(drill.id, opts.environment);
    }
  }

  start(): void {
    for (const drill of this.#opts.drills) {
      const task = createTask(drill.schedule!, () => void this.tick(drill.id), {
        name: `drill:${drill.id}`,
        missedExecutionTolerance: 60_000,
      });
      this.#tasks.push(task);
      void task.start();
    }
    this.#opts.logger.info({ drills: this.#opts.drills.map((d) => d.id) }, 'drills scheduled');
  }

  /** What cron calls when a drill's time has come; public so tests drive the same code. */
  tick(id: string): 'started' | 'skipped' | 'stopped' {
    const drill = this.#opts.drills.find((d) => d.id === id);
    if (!drill || this.#stopping) return 'stopped';
    if (this.#running) {
      this.stats.skipped++;
      this.#opts.metrics.skipped(id, this.#opts.environment);
      this.#opts.logger.warn(
        { drill: id, running: this.#running.id },
        'a drill is still running; tick skipped',
      );
      return 'skipped';
    }
    this.stats.started++;
    const done = this.#opts
      .run(drill, this.#abort.signal)
      .then(async (result) => {
        this.stats.finished++;
        this.#opts.metrics.observe(result);
        await this.#opts.onResult?.(result);
      })
      .catch((err: unknown) => this.#opts.logger.error({ err, drill: id }, 'a scheduled drill failed to run'))
      .finally(() => {
        this.#running = undefined;
      });
    this.#running = { id, done };
    return 'started';
  }

  get inFlight(): number {
    return this.#running ? 1 : 0;
  }

  /**
   * Stops scheduling and aborts the drill in flight, which ends its observation and rolls its
   * fault back now: waiting minutes for its deadlines would let a supervisor's stop timeout kill
   * the process with the fault still on. Resolves once the rollback is done.
   */
  async stop(): Promise<void> {
    this.#abort.abort(new Error('interrupted: the scheduler is shutting down'));
    if (!this.#stopping) {
      this.#stopping = true;
      for (const t of this.#tasks) await t.destroy();
    }
    await this.#running?.done;
  }
}
