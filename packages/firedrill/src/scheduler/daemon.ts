import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { DrillPlan } from '../drills/plan.ts';
import { DrillMetrics } from '../metrics/drill-metrics.ts';
import { ProbeMetrics } from '../metrics/probe-metrics.ts';
import type { BrowserLauncher } from '../probes/browser-pool.ts';
import type { ProbeDefinition, ResolvedEnvironment } from '../probes/define.ts';
import { createProbeRunner } from '../probes/runner.ts';
import { DrillScheduler, type DrillSchedulerOptions } from './drill-scheduler.ts';
import { startMetricsServer } from './metrics-server.ts';
import { ResultsFile } from './results-file.ts';
import { Scheduler } from './scheduler.ts';

export interface SchedulerDaemonOptions {
  probes: readonly ProbeDefinition[];
  env: ResolvedEnvironment;
  logger: Logger;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  resultsFile: string;
  artifactsDir: string;
  launchBrowser?: BrowserLauncher;
  /** Drills with a schedule, run one at a time beside the probes (`firedrill schedule --drills`). */
  drills?: { list: readonly DrillPlan[]; environment: string; run: DrillSchedulerOptions['run'] };
}

export interface SchedulerDaemon {
  /** Where `/metrics` and `/healthz` answer. */
  url: string;
  scheduler: Scheduler;
  drillScheduler: DrillScheduler | undefined;
  metrics: ProbeMetrics;
  drillMetrics: DrillMetrics;
  /** Stops scheduling, waits for (or with `force`, aborts) runs in flight, then releases everything. */
  stop(opts?: { force?: boolean }): Promise<void>;
}

/** Everything `firedrill schedule` runs, without the process concerns (signals, exit codes). */
export async function startSchedulerDaemon(opts: SchedulerDaemonOptions): Promise<SchedulerDaemon> {
  const log = opts.logger.child({ component: 'scheduler' });
  const metrics = new ProbeMetrics();
  const drillMetrics = new DrillMetrics();
  const results = new ResultsFile(opts.resultsFile, log);
  const runner = createProbeRunner({
    env: opts.env,
    logger: opts.logger,
    artifactsDir: opts.artifactsDir,
    ...(opts.launchBrowser ? { launchBrowser: opts.launchBrowser } : {}),
  });
  const scheduler = new Scheduler({
    probes: opts.probes,
    runner,
    metrics,
    location: opts.env.location,
    logger: log,
    onResult: (r) => {
      results.append(r);
      const line = {
        probe: r.id,
        runId: r.runId,
        status: r.status,
        durationMs: Math.round(r.durationMs),
        attempt: r.attempt,
      };
      if (r.status === 'pass') log.info({ ...line, ...(r.flaky ? { flaky: true } : {}) }, 'probe passed');
      else
        log.warn(
          { ...line, error: r.error?.message, errorType: r.error?.type },
          `probe ${r.status === 'fail' ? 'failed' : 'errored'}`,
        );
    },
  });
  const drillScheduler = opts.drills?.list.length
    ? new DrillScheduler({
        drills: opts.drills.list,
        environment: opts.drills.environment,
        run: opts.drills.run,
        metrics: drillMetrics,
        logger: log,
        onResult: (r) => {
          results.append(r);
          const line = {
            drill: r.id,
            runId: r.runId,
            status: r.status,
            durationMs: Math.round(r.durationMs),
          };
          if (r.status === 'pass') log.info(line, 'drill passed');
          else
            log.warn(
              { ...line, error: r.error?.message },
              `drill ${r.status === 'fail' ? 'failed' : 'errored'}`,
            );
        },
      })
    : undefined;
  const started = Date.now();
  const server = await startMetricsServer({
    registry: drillScheduler ? Registry.merge([metrics.registry, drillMetrics.registry]) : metrics.registry,
    port: opts.port,
    ...(opts.host ? { host: opts.host } : {}),
    health: () => ({
      ok: !scheduler.stopping,
      status: scheduler.stopping ? 'stopping' : 'ok',
      probes: opts.probes.length,
      inFlight: scheduler.inFlight,
      ...scheduler.stats,
      ...(drillScheduler
        ? {
            drills: opts.drills!.list.length,
            drillsInFlight: drillScheduler.inFlight,
            drillStats: drillScheduler.stats,
          }
        : {}),
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    }),
  }).catch(async (err: NodeJS.ErrnoException) => {
    await results.close();
    throw err;
  });
  scheduler.start();
  drillScheduler?.start();
  log.info(
    { url: server.url, results: opts.resultsFile, environment: opts.env.name, location: opts.env.location },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    scheduler,
    drillScheduler,
    metrics,
    drillMetrics,
    stop: async (o = {}) => {
      if (o.force) await scheduler.stop({ force: true });
      // A scheduled drill rolls back now on the first signal; see DrillScheduler.stop.
      const drillsStopped = drillScheduler?.stop();
      stopping ??= (async () => {
        const inFlight = scheduler.inFlight;
        log.info({ inFlight }, inFlight ? 'stopping: waiting for runs in flight' : 'stopping');
        await scheduler.stop();
        await drillsStopped;
        await runner.close();
        await server.close();
        await results.close();
        log.info(scheduler.stats, 'stopped');
      })();
      await stopping;
    },
  };
}
