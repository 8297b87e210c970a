import type { Logger } from 'pino';
import { ProbeMetrics } from '../metrics/probe-metrics.ts';
import type { BrowserLauncher } from '../probes/browser-pool.ts';
import type { ProbeDefinition, ResolvedEnvironment } from '../probes/define.ts';
import { createProbeRunner } from '../probes/runner.ts';
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
}

export interface SchedulerDaemon {
  /** Where `/metrics` and `/healthz` answer. */
  url: string;
  scheduler: Scheduler;
  metrics: ProbeMetrics;
  /** Stops scheduling, waits for (or with `force`, aborts) runs in flight, then releases everything. */
  stop(opts?: { force?: boolean }): Promise<void>;
}

/** Everything `firedrill schedule` runs, without the process concerns (signals, exit codes). */
export async function startSchedulerDaemon(opts: SchedulerDaemonOptions): Promise<SchedulerDaemon> {
  const log = opts.logger.child({ component: 'scheduler' });
  const metrics = new ProbeMetrics();
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
  const started = Date.now();
  const server = await startMetricsServer({
    registry: metrics.registry,
    port: opts.port,
    ...(opts.host ? { host: opts.host } : {}),
    health: () => ({
      ok: !scheduler.stopping,
      status: scheduler.stopping ? 'stopping' : 'ok',
      probes: opts.probes.length,
      inFlight: scheduler.inFlight,
      ...scheduler.stats,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    }),
  }).catch(async (err: NodeJS.ErrnoException) => {
    await results.close();
    throw err;
  });
  scheduler.start();
  log.info(
    { url: server.url, results: opts.resultsFile, environment: opts.env.name, location: opts.env.location },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    scheduler,
    metrics,
    stop: async (o = {}) => {
      if (o.force) await scheduler.stop({ force: true });
      stopping ??= (async () => {
        const inFlight = scheduler.inFlight;
        log.info({ inFlight }, inFlight ? 'stopping: waiting for runs in flight' : 'stopping');
        await scheduler.stop();
        await runner.close();
        await server.close();
        await results.close();
        log.info(scheduler.stats, 'stopped');
      })();
      await stopping;
    },
  };
}
