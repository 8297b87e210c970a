import path from 'node:path';
import { type Command, Option } from 'commander';
import { brokenResult, selectedBroken } from '../config/definition-files.ts';
import { ConfigError, type Diagnostic } from '../config/load.ts';
import { SetupError } from '../core/errors.ts';
import { exitCodeFor } from '../core/exit.ts';
import { type Result, setupErrorOf } from '../core/result.ts';
import type { LoadedDrill } from '../drills/loader.ts';
import { printListing, warnDefinitions } from './list.ts';
import { collect, envOption, reporterOption } from './options.ts';
import { commandContext } from './program.ts';

interface DrillOptions {
  env?: string;
  reporter: string[];
  yesProduction?: boolean;
  list?: boolean;
  json?: boolean;
  tag: string[];
  grep?: string;
  dryRun?: boolean;
  push?: boolean;
}

/** `firedrill drill [names…]` and `firedrill rollback`. */
export function registerDrillCommands(program: Command): void {
  program
    .command('drill')
    .description(
      'run drills: inject a fault, prove the alert fires, reaches Slack, logs arrive, and it all resolves',
    )
    .argument('[names...]', 'drill ids (default: every drill in alert-tests/)')
    .addOption(envOption())
    .addOption(reporterOption())
    .option('--yes-production', 'confirm injecting faults into an environment marked production')
    .addOption(
      new Option('-t, --tag <tag>', 'only drills with this tag; repeatable').argParser(collect).default([]),
    )
    .option('-g, --grep <regex>', 'only drills whose id, name or #tag matches (case-insensitive)')
    .option('--list', 'list the selected drills (and broken or misnamed files) and exit; 2 if any is broken')
    .option('--json', 'with --list: print the listing as JSON')
    .option(
      '--dry-run',
      "preflight only: check the live pipeline, print the plan and each hop's pipeline minimum; nothing injected",
    )
    .option(
      '--push',
      "push each drill's last-run gauges (result, hops) to the environment's Pushgateway (job firedrill-push, one group per drill)",
    )
    .action(async (names: string[], opts: DrillOptions, cmd: Command) => {
      process.exitCode = await drillAction(names, opts, cmd);
    });

  program
    .command('rollback')
    .description('undo what crashed drill runs left behind (replays their rollback journals); safe to repeat')
    .option('-e, --env <name>', 'environment for journals that do not name one')
    .action(async (opts: { env?: string }, cmd: Command) => {
      process.exitCode = await rollbackAction(opts, cmd);
    });
}

async function drillAction(names: string[], opts: DrillOptions, cmd: Command): Promise<number> {
  const { config, root, logger, runId } = await commandContext(cmd);
  const { loadDrillSet, selectDrills } = await import('../drills/loader.ts');
  const set = await loadDrillSet(root, { ...config.drills, probes: config.probes });
  const selection = { names, tags: opts.tag, ...(opts.grep ? { grep: opts.grep } : {}) };
  let broken = selectedBroken(set.broken, selection);
  const selected = selectDrills(
    set.drills,
    names.filter((n) => !set.broken.some((b) => b.id === n)),
    config.drills.dir,
    selection,
  );
  let drills = selected.map((d) => d.plan);
  if (opts.list) {
    const listed = selected.map(({ plan: d, file }) => ({
      id: d.id,
      name: d.name,
      file,
      ...(d.schedule ? { schedule: d.schedule } : {}),
      ...(d.tags?.length ? { tags: d.tags } : {}),
      ...(d.environments ? { environments: d.environments } : {}),
    }));
    return printListing('drill', listed, set.broken, set.stray, opts.json === true);
  }
  if (opts.json) throw new SetupError('--json goes with --list (for a run, use -r json[=path])');
  if (drills.length === 0 && broken.length === 0) {
    const have = set.drills.map((d) => d.plan.id).join(', ') || 'none';
    throw new SetupError(`no drill matches the selection (have: ${have})`);
  }
  warnDefinitions('drill', set.broken, set.stray);
  const { resolveStateDir, stackUp } = await import('../stack/index.ts');
  const { resolveDrillEnvironment } = await import('../drills/environment.ts');
  const stateDir = resolveStateDir(config, root);
  const envName = opts.env ?? config.defaultEnvironment;
  const env = await resolveDrillEnvironment(config, envName, stateDir, root);
  if (env.stack) {
    // The stack's rules are the project's, known before anything runs: a mistyped alert name is
    // a broken drill now, with the nearest name, rather than a preflight error later.
    const typos = await stackAlertTypos(selected, root, config.stack.profile);
    if (typos.length) {
      const { brokenDefinitions } = await import('../config/definition-files.ts');
      const bad = brokenDefinitions(typos, (f) => selected.find((d) => d.file === f)?.plan, '.drill.ts');
      warnDefinitions('drill', bad, []);
      if (names.length > 0) throw new ConfigError(typos);
      broken = [...broken, ...bad];
      drills = drills.filter((d) => !bad.some((b) => b.id === d.id));
    }
  }
  // Guards that refuse the whole run are a setup error (exit 2), found before any reporter starts.
  if (!opts.dryRun && (!env.allowFaults || (env.production && !opts.yesProduction))) {
    const { checkGuards } = await import('../drills/environment.ts');
    checkGuards(env, drills[0] ?? { id: '-' }, { yesProduction: opts.yesProduction === true });
  }
  const { pushTarget, pushAndExit } = await import('./push.ts');
  const gateway = opts.push ? await pushTarget(env, root) : undefined;
  const { MetricsReporter } = await import('../reporters/metrics.ts');
  const metricsReporter = new MetricsReporter();
  const { createReporters, loadFileReporters } = await import('../reporters/registry.ts');
  const { ReporterMultiplexer } = await import('../reporting/multiplexer.ts');
  const { slackClient } = await import('../drills/clients.ts');
  const specs = opts.reporter.length ? opts.reporter : ['console'];
  const reporters = createReporters(
    specs,
    {
      outDir: path.join(stateDir, 'reports'),
      ...(env.slack?.token ? { slack: { poster: slackClient(env) } } : {}),
    },
    await loadFileReporters(specs),
  );
  const mux = new ReporterMultiplexer([...reporters, { name: 'metrics', reporter: metricsReporter }]);
  const started = Date.now();
  await mux.onBegin({
    kind: 'drill',
    total: drills.length + broken.length,
    runId,
    environment: env.name,
    startedAt: started,
  });
  const brokenResults = broken.map((b) => brokenResult(b, 'drill', { runId, environment: env.name }));
  for (const r of brokenResults) await mux.onResult(r);
  const { runDrills, withSignalRollback } = await import('../drills/suite.ts');
  const refs = new Map<string, { id: string; name: string; kind: 'drill'; start: number }>();
  const { value: results, signal } = await withSignalRollback((abort) =>
    runDrills({
      drills,
      env,
      stateDir,
      root,
      logger,
      signal: abort,
      yesProduction: opts.yesProduction === true,
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(env.stack
        ? {
            restartStack: async (components: string[]) => {
              await stackUp({ config, root, logger, components: components as never });
            },
          }
        : {}),
      onDrillBegin: (d, start) => {
        const ref = { id: d.id, name: d.name ?? d.id, kind: 'drill' as const, start };
        refs.set(d.id, ref);
        mux.onResultBegin(ref);
      },
      onEvent: (event, drill) => {
        const ref = refs.get(drill.id);
        if (ref) mux.onEvent(ref, event);
      },
      onResult: async (r: Result) => {
        const ref = refs.get(r.id);
        if (ref) for (const s of r.steps) mux.onStepEnd(ref, s);
        await mux.onResult(r);
      },
    }),
  );
  results.unshift(...brokenResults);
  if (opts.dryRun) for (const r of results) process.stdout.write(dryRunLines(r));
  const exitCode = exitCodeFor(results, signal);
  await mux.onEnd({ results, exitCode, durationMs: Date.now() - started });
  // A backend that refused firedrill is the setup's fault: say so on stderr too, for CI logs.
  const setup = setupErrorOf(results);
  if (setup && !signal) process.stderr.write(`firedrill: ${setup.message}\n`);
  // Interrupted drills are pushed too: the last result then says error, not the previous pass.
  if (gateway) return pushAndExit(metricsReporter, gateway, exitCode, logger);
  return exitCode;
}

async function rollbackAction(opts: { env?: string }, cmd: Command): Promise<number> {
  const { config, root, logger } = await commandContext(cmd);
  const { resolveStateDir, stackUp } = await import('../stack/index.ts');
  const { resolveDrillEnvironment, faultTarget } = await import('../drills/environment.ts');
  const { replayJournals } = await import('../drills/replay.ts');
  const { targetFromJournal } = await import('../drills/journal.ts');
  const stateDir = resolveStateDir(config, root);
  const out = await replayJournals({
    stateDir,
    logger,
    async contextFor(record) {
      const name = record.environment || opts.env || config.defaultEnvironment;
      const envCfg = config.environments[name];
      const restart = envCfg?.stack
        ? async (components: string[]) => {
            await stackUp({ config, root, logger, components: components as never });
          }
        : undefined;
      // The config's view of the environment carries the auth the journal never stores. The app
      // is the one the fault went to, unless it is the local stack's, which may listen elsewhere
      // after a restart.
      const env = envCfg
        ? await resolveDrillEnvironment(config, name, stateDir, root).catch(() => undefined)
        : undefined;
      const token = envCfg?.faultToken;
      const target = env
        ? { ...faultTarget(env), ...(env.stack ? {} : { baseUrl: record.target.baseUrl }) }
        : { ...targetFromJournal(record.target), ...(token ? { faultToken: token } : {}) };
      return { target, ...(restart ? { restartStack: restart } : {}) };
    },
  });
  const w = (s: string) => process.stdout.write(`${s}\n`);
  if (out.journals.length === 0) w('no rollback journals left behind: nothing to undo');
  for (const j of out.journals) {
    w(
      `journal ${path.basename(j.file)}${j.drillId ? ` (drill ${j.drillId})` : ''}: ${j.outcome}${j.error ? ` — ${j.error}` : ''}`,
    );
    for (const f of j.faults) w(`  ${f.description}: ${f.detail}`);
  }
  for (const t of out.staleLocks) w(`removed stale lock on ${t}`);
  return out.journals.some((j) => j.outcome === 'failed' || j.outcome === 'unreadable') ? 1 : 0;
}

/** What a dry run learnt, per drill: the verdict, and each hop's least and most time by the live config. */
export function dryRunLines(r: Result): string {
  const m = r.metrics ?? {};
  const secs = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
  const lines = [`dry run ${r.id}: preflight ${r.status}, nothing injected`];
  for (const hop of ['fire', 'notify', 'resolve', 'resolve_notify']) {
    const min = m[`pipeline_min_ms_${hop}`];
    const max = m[`pipeline_max_ms_${hop}`];
    if (min === undefined && max === undefined) continue;
    lines.push(`  ${hop.padEnd(15)} pipeline minimum ${secs(min)}, worst case ${secs(max)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Alert names the selected drills expect that the local stack's rules do not define. */
async function stackAlertTypos(
  selected: readonly LoadedDrill[],
  root: string,
  profile: 'fast' | 'default',
): Promise<Diagnostic[]> {
  const { monitoringSource, RULES_MODULE } = await import('../stack/monitoring.ts');
  const { alertNamesOf, unknownAlertDiagnostics } = await import('../drills/alert-names.ts');
  let known: string[];
  try {
    known = alertNamesOf((await monitoringSource(root).rules())(profile));
  } catch {
    // No rules module in this project: preflight reads the live rules instead.
    return [];
  }
  return unknownAlertDiagnostics(selected, known, RULES_MODULE);
}
