import path from 'node:path';
import { type Command, Option } from 'commander';
import { type BrokenDefinition, type StrayFile, selectedBroken } from '../config/definition-files.ts';
import { environmentNames } from '../config/environment.ts';
import { formatDiagnostic } from '../config/load.ts';
import { SetupError } from '../core/errors.ts';
import { EXIT } from '../core/exit.ts';
import { collect, envOption } from './options.ts';
import { commandContext, probesDir } from './program.ts';

interface ScheduleOptions {
  env?: string;
  probes?: string;
  tag: string[];
  port?: number;
  host: string;
  results?: string;
  drills?: string | boolean;
  yesProduction?: boolean;
}

/** Where `/metrics` listens when neither `--port` nor the local stack says otherwise. */
export const DEFAULT_SCHEDULER_PORT = 9469;
/** After an orderly stop, how long a probe's stray timer or socket may keep the process up. */
const EXIT_GRACE_MS = 2_000;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new SetupError(`expected a port 0..65535, got "${value}"`);
  return n;
}

export function registerScheduleCommands(program: Command): void {
  program
    .command('schedule')
    .description(
      'run probes on their cron schedules until SIGTERM; serve /metrics and /healthz; append results as JSON lines',
    )
    .argument('[names...]', 'probe ids (default: every probe with a schedule)')
    .addOption(envOption())
    .option('--probes <dir>', 'folder of *.probe.ts files (default: probes/ in the project root)')
    .addOption(
      new Option('-t, --tag <tag>', 'only probes with this tag; repeatable').argParser(collect).default([]),
    )
    .addOption(
      new Option(
        '-p, --port <port>',
        `port for /metrics and /healthz (default: the stack's reserved port for a stack environment, else ${DEFAULT_SCHEDULER_PORT}; 0 picks one)`,
      ).argParser(port),
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--drills [dir]',
      'also run the drills that have a schedule (from alert-tests/, or this folder), one at a time',
    )
    .option(
      '--yes-production',
      'confirm scheduled drills may inject faults into an environment marked production',
    )
    .option(
      '--results <file>',
      'JSON-lines file every result is appended to (default: <stateDir>/results.jsonl)',
    )
    .action(async (names: string[], opts: ScheduleOptions, cmd: Command) => {
      process.exitCode = await scheduleAction(names, opts, cmd);
      // Everything firedrill opened is closed; a probe's own stray timer must not keep a stopped daemon alive.
      setTimeout(() => process.exit(process.exitCode ?? EXIT.ok), EXIT_GRACE_MS).unref();
    });
}

async function scheduleAction(names: string[], opts: ScheduleOptions, cmd: Command): Promise<number> {
  const { config, root, logger } = await commandContext(cmd);
  const { resolveEnvironment } = await import('../probes/environment.ts');
  const { loadProbeSet } = await import('../probes/loader.ts');
  const { selectProbes } = await import('../probes/select.ts');
  const { resolveStateDir } = await import('../stack/paths.ts');
  const { browserLauncher } = await import('../probes/browser-pool.ts');
  const { startSchedulerDaemon } = await import('../scheduler/daemon.ts');

  const { env, stackMetricsPort } = await resolveEnvironment({ config, root }, opts.env);
  const set = await loadProbeSet({
    root,
    ...config.probes,
    ...(opts.probes ? { dir: probesDir(root, opts.probes) } : {}),
    environments: environmentNames(config),
  });
  // A daemon keeps the probes that load; a broken one is named in its log, not allowed to stop the rest.
  logDefinitionProblems(logger, set.broken, set.stray);
  const named = selectedBroken(set.broken, { names });
  const selected = selectProbes(
    set.probes,
    { names, tags: opts.tag, environment: env.name },
    named.map((b) => b.id),
  );
  const probes = selected.filter((p) => p.schedule);
  const unscheduled = selected.filter((p) => !p.schedule).map((p) => p.id);
  const stateDir = resolveStateDir(config, root);
  const drills = opts.drills
    ? await scheduledDrills(opts, { config, root, logger, stateDir, envName: env.name })
    : undefined;
  if (probes.length === 0 && !drills)
    throw new SetupError(`no selected probe has a schedule (selected: ${unscheduled.join(', ')})`);
  if (unscheduled.length > 0)
    logger.info({ probes: unscheduled }, 'probes without a schedule are not scheduled');
  const listenPort = opts.port ?? stackMetricsPort ?? DEFAULT_SCHEDULER_PORT;

  // A daemon whose job is running other people's code: an async throw a probe leaves behind
  // (a timer callback, a dangling promise) is logged, not allowed to end every other probe.
  const onUncaught = (err: unknown) =>
    logger.error({ err }, 'uncaught error from a probe; scheduler keeps running');
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  let daemon: Awaited<ReturnType<typeof startSchedulerDaemon>>;
  try {
    daemon = await startSchedulerDaemon({
      probes,
      env,
      logger,
      port: listenPort,
      host: opts.host,
      resultsFile: path.resolve(opts.results ?? path.join(stateDir, 'results.jsonl')),
      artifactsDir: path.join(stateDir, 'artifacts'),
      ...(drills ? { drills } : {}),
      launchBrowser: browserLauncher({
        ...(config.browser.executablePath ? { executablePath: config.browser.executablePath } : {}),
        headless: config.browser.headless,
        logger,
      }),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SetupError(
        `port ${listenPort} on ${opts.host} is in use (another scheduler?); pick one with --port`,
      );
    }
    throw err;
  }

  // First signal: stop scheduling, let runs in flight finish or time out. Second: abort them now.
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      logger.info({ signal }, signals === 1 ? 'shutting down' : 'shutting down now: aborting runs in flight');
      daemon.stop({ force: signals > 1 }).then(resolve, (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // The guards stay: a zombie probe may still throw during the exit grace period.
  return EXIT.ok;
}

type Context = Pick<Awaited<ReturnType<typeof commandContext>>, 'config' | 'root' | 'logger'> & {
  stateDir: string;
  envName: string;
};

/**
 * The drills `--drills` schedules, with everything a run needs bound in. The environment's fault
 * guards are checked now, for every drill: a nightly drill refused at 3 a.m. helps no one.
 */
async function scheduledDrills(opts: ScheduleOptions, ctx: Context) {
  const { config, root, logger, stateDir, envName } = ctx;
  const { loadDrillSet } = await import('../drills/loader.ts');
  const { resolveDrillEnvironment, checkGuards } = await import('../drills/environment.ts');
  const { runDrills } = await import('../drills/suite.ts');
  const { stackUp } = await import('../stack/index.ts');
  const dir = typeof opts.drills === 'string' ? opts.drills : (config.drills.dir ?? 'alert-tests');
  const {
    drills: loaded,
    broken,
    stray,
  } = await loadDrillSet(root, { ...config.drills, dir, probes: config.probes });
  logDefinitionProblems(logger, broken, stray);
  const list = loaded.map((d) => d.plan).filter((d) => d.schedule);
  if (list.length === 0)
    throw new SetupError(
      `no drill in ${dir} has a schedule (of ${loaded.length}); add schedule: '0 3 * * *' to one`,
    );
  const yesProduction = opts.yesProduction === true;
  const env = await resolveDrillEnvironment(config, envName, stateDir, root);
  for (const d of list) checkGuards(env, d, { yesProduction });
  const restartStack = env.stack
    ? async (components: string[]) => {
        await stackUp({ config, root, logger, components: components as never });
      }
    : undefined;
  return {
    list,
    environment: env.name,
    run: async (drill: (typeof list)[number], signal: AbortSignal) => {
      const [result] = await runDrills({
        drills: [drill],
        env,
        stateDir,
        root,
        logger,
        signal,
        yesProduction,
        ...(restartStack ? { restartStack } : {}),
      });
      return result!;
    },
  };
}

function logDefinitionProblems(
  logger: Context['logger'],
  broken: readonly BrokenDefinition[],
  stray: readonly StrayFile[],
): void {
  for (const b of broken)
    logger.error(
      { file: b.file, problems: b.diagnostics.map(formatDiagnostic) },
      'definition is broken: not scheduled',
    );
  for (const f of stray) logger.warn({ file: f.file }, f.reason);
}
