import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { brokenResult, selectedBroken } from '../config/definition-files.ts';
import { environmentNames } from '../config/environment.ts';
import { SetupError } from '../core/errors.ts';
import { EXIT, exitCodeFor, SIGNAL_EXIT } from '../core/exit.ts';
import { type Result, setupErrorOf } from '../core/result.ts';
import { printListing, warnDefinitions } from './list.ts';
import { collect, envOption, reporterOption } from './options.ts';
import { commandContext, probesDir } from './program.ts';

interface ProbeOptions {
  env?: string;
  probes?: string;
  reporter: string[];
  push?: boolean;
  tag: string[];
  grep?: string;
  list?: boolean;
  json?: boolean;
  concurrency: number;
  out?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new SetupError(`expected a positive integer, got "${value}"`);
  return n;
}

export function registerProbeCommands(program: Command): void {
  program
    .command('probe')
    .description('run probes once (a CI gate): exit 0 when all pass, 1 when any fails, 2 on a setup error')
    .argument('[names...]', 'probe ids (default: every probe for the environment)')
    .addOption(envOption())
    .option('--probes <dir>', 'folder of *.probe.ts files (default: probes/ in the project root)')
    .addOption(reporterOption())
    .option(
      '--push',
      "push each probe's last-run gauges to the environment's Pushgateway (job firedrill-push, one group per probe)",
    )
    .addOption(
      new Option('-t, --tag <tag>', 'only probes with this tag; repeatable').argParser(collect).default([]),
    )
    .option('-g, --grep <regex>', 'only probes whose id, name or #tag matches (case-insensitive)')
    .option('--list', 'list the selected probes (and broken or misnamed files) and exit; 2 if any is broken')
    .option('--json', 'with --list: print the listing as JSON')
    .addOption(new Option('--concurrency <n>', 'probes run at once').argParser(positiveInt).default(4))
    .option('--out <dir>', 'report directory (default: <stateDir>/reports)')
    .action(async (names: string[], opts: ProbeOptions, cmd: Command) => {
      process.exitCode = await probeAction(names, opts, cmd);
    });
}

async function probeAction(names: string[], opts: ProbeOptions, cmd: Command): Promise<number> {
  const { config, root, logger, runId } = await commandContext(cmd);
  const { resolveEnvironment } = await import('../probes/environment.ts');
  const { loadProbeSet } = await import('../probes/loader.ts');
  const { probeFilter, selectProbes } = await import('../probes/select.ts');
  const { resolveStateDir } = await import('../stack/paths.ts');

  const set = await loadProbeSet({
    root,
    ...config.probes,
    ...(opts.probes ? { dir: probesDir(root, opts.probes) } : {}),
    environments: environmentNames(config),
  });
  const selection = { names, tags: opts.tag, ...(opts.grep ? { grep: opts.grep } : {}) };
  if (opts.list) {
    const keep = probeFilter({ ...selection, ...(opts.env ? { environment: opts.env } : {}) });
    const listed = set.probes
      .filter((p) => keep(p.definition))
      .map(({ definition: d, file }) => ({
        id: d.id,
        name: d.name ?? d.id,
        file,
        kind: d.kind,
        ...(d.schedule ? { schedule: d.schedule } : {}),
        ...(d.tags?.length ? { tags: d.tags } : {}),
        ...(d.environments ? { environments: d.environments } : {}),
      }));
    return printListing('probe', listed, set.broken, set.stray, opts.json === true);
  }
  if (opts.json) throw new SetupError('--json goes with --list (for a run, use -r json[=path])');
  warnDefinitions('probe', set.broken, set.stray);
  const { env } = await resolveEnvironment({ config, root }, opts.env);
  const broken = selectedBroken(set.broken, { ...selection, environment: env.name });
  const probes = selectProbes(
    set.probes,
    { ...selection, environment: env.name },
    broken.map((b) => b.id),
  );
  const { pushTarget, pushAndExit } = await import('./push.ts');
  const gateway = opts.push ? await pushTarget(env, root) : undefined;
  const stateDir = resolveStateDir(config, root);
  const outDir = path.resolve(opts.out ?? path.join(stateDir, 'reports'));

  const { createReporters, loadFileReporters } = await import('../reporters/registry.ts');
  const { ReporterMultiplexer } = await import('../reporting/multiplexer.ts');
  const { MetricsReporter } = await import('../reporters/metrics.ts');
  const metricsReporter = new MetricsReporter({
    probes: probes.map((p) => ({ id: p.id, kind: p.kind, schedule: p.schedule, location: env.location })),
  });
  const specs = opts.reporter.length ? opts.reporter : ['console'];
  const mux = new ReporterMultiplexer([
    ...createReporters(specs, { outDir }, await loadFileReporters(specs)),
    { name: 'metrics', reporter: metricsReporter },
  ]);

  const { createProbeRunner } = await import('../probes/runner.ts');
  const { browserLauncher } = await import('../probes/browser-pool.ts');
  const runner = createProbeRunner({
    env,
    logger,
    artifactsDir: path.join(outDir, 'artifacts'),
    launchBrowser: browserLauncher({
      ...(config.browser.executablePath ? { executablePath: config.browser.executablePath } : {}),
      headless: config.browser.headless,
      logger,
    }),
    events: mux,
  });

  // First Ctrl-C ends the runs in flight as errors and still writes every report; a second one quits.
  const abort = new AbortController();
  // Each run in flight listens on it.
  setMaxListeners(0, abort.signal);
  let signals = 0;
  let received: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    received ??= sig;
    if (++signals > 1) process.exit(SIGNAL_EXIT[sig] ?? EXIT.sigint);
    process.stderr.write('firedrill: stopping; Ctrl-C again to quit at once\n');
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  let results: Result[];
  try {
    await mux.onBegin({
      kind: 'probe',
      total: probes.length + broken.length,
      runId,
      environment: env.name,
      startedAt: started,
    });
    const brokenResults = broken.map((b) => brokenResult(b, 'probe', { runId, environment: env.name }));
    const reported = brokenResults.map((r) => mux.onResult(r));
    results = await runner.runAll(probes, {
      concurrency: opts.concurrency,
      signal: abort.signal,
      onResult: (r) => reported.push(mux.onResult(r)),
    });
    results.unshift(...brokenResults);
    await Promise.all(reported);
  } finally {
    await runner.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const exitCode = exitCodeFor(results, received);
  await mux.onEnd({ results, exitCode, durationMs: Date.now() - started });

  // Chromium missing, a refused backend: the setup's fault, not the app's; CI should say "fix the runner".
  const setup = setupErrorOf(results);
  if (setup && !received) process.stderr.write(`firedrill: ${setup.message}\n`);
  if (gateway) return pushAndExit(metricsReporter, gateway, exitCode, logger);
  return exitCode;
}
