import { setMaxListeners } from 'node:events';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Result } from '../core/result.ts';
import type { ProbeMetrics } from '../metrics/probe-metrics.ts';
import type { ProbeDefinition } from '../probes/define.ts';
import type { ProbeRunner } from '../probes/runner.ts';

export interface SchedulerOptions {
  /** Probes to schedule; each must have a `schedule`. */
  probes: readonly ProbeDefinition[];
  runner: ProbeRunner;
  metrics: ProbeMetrics;
  location: string;
  logger: Logger;
  /** Every finished run, in completion order (results file, reporters). Errors are logged, never fatal. */
  onResult?(result: Result): void | Promise<void>;
  /** A run started `latenessMs` after its cron time. */
  onStart?(probeId: string, latenessMs: number): void;
}

export type TickOutcome = 'started' | 'skipped' | 'stopped';

interface Entry {
  probe: ProbeDefinition;
  running: Promise<void> | undefined;
  task?: ScheduledTask;
}

/**
 * One node-cron task per probe. A tick while the previous run of the same probe is still going
 * is skipped and counted, never queued: queueing would turn one hung target into an ever-later
 * backlog. `tick` is public so tests and benchmarks can drive the exact code cron calls.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #entries = new Map<string, Entry>();
  /** Aborted only by a second shutdown signal: in-flight runs then end at once as errors. */
  readonly #force = new AbortController();
  #stopping = false;
  readonly stats = { started: 0, skipped: 0, finished: 0 };

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    // Every run in flight listens on it; a hundred probes are a hundred listeners, not a leak.
    setMaxListeners(0, this.#force.signal);
    for (const probe of opts.probes) {
      if (!probe.schedule) throw new Error(`probe "${probe.id}" has no schedule`);
      this.#entries.set(probe.id, { probe, running: undefined });
      opts.metrics.describe({
        id: probe.id,
        kind: probe.kind,
        schedule: probe.schedule,
        location: opts.location,
      });
    }
  }

  start(): void {
    for (const [id, entry] of this.#entries) {
      const task = createTask(entry.probe.schedule!, (ctx) => void this.tick(id, ctx.date.getTime()), {
        name: `probe:${id}`,
        // A busy process runs a slot late (and the lateness shows in metrics) rather than
        // dropping it silently; node-cron's default drops anything over 1 s.
        missedExecutionTolerance: 60_000,
      });
      task.on('execution:missed', (ctx) => {
        this.#opts.logger.warn(
          { probe: id, slot: ctx.date.toISOString() },
          'cron slot missed: scheduler too busy',
        );
      });
      entry.task = task;
      void task.start();
    }
    this.#opts.logger.info({ probes: [...this.#entries.keys()] }, 'scheduler started');
  }

  /** What cron calls for a probe whose time `scheduledAt` (epoch ms) has come. */
  tick(id: string, scheduledAt: number = Date.now()): TickOutcome {
    const entry = this.#entries.get(id);
    if (!entry || this.#stopping) return 'stopped';
    const { probe } = entry;
    if (entry.running) {
      this.stats.skipped++;
      this.#opts.metrics.skipped(probe, this.#opts.location);
      this.#opts.logger.warn({ probe: id }, 'previous run still going; tick skipped');
      return 'skipped';
    }
    this.stats.started++;
    const run = this.#opts.runner.run(probe, {
      signal: this.#force.signal,
      onStart: () => {
        const lateMs = Date.now() - scheduledAt;
        this.#opts.metrics.lateness(this.#opts.location, lateMs / 1000);
        this.#opts.onStart?.(id, lateMs);
      },
    });
    entry.running = run
      .then(async (result) => {
        this.stats.finished++;
        this.#opts.metrics.observe(result, probe.kind);
        await this.#opts.onResult?.(result);
      })
      .catch((err: unknown) => this.#opts.logger.error({ err, probe: id }, 'handling a result failed'))
      .finally(() => {
        entry.running = undefined;
      });
    return 'started';
  }

  get inFlight(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.running) n++;
    return n;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Stops scheduling and waits for runs in flight; each ends by its own timeout at the latest.
   * `force` (a second signal) ends them at once instead, each recorded as an aborted error.
   */
  async stop(opts: { force?: boolean } = {}): Promise<void> {
    if (opts.force) this.#force.abort(new Error('scheduler shutting down'));
    if (!this.#stopping) {
      this.#stopping = true;
      for (const e of this.#entries.values()) await e.task?.destroy();
    }
    await Promise.all([...this.#entries.values()].map((e) => e.running));
  }
}
