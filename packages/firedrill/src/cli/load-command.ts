import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SetupError } from '../core/errors.ts';
import { EXIT } from '../core/exit.ts';
import type { Result } from '../core/result.ts';
import type { ResultRef } from '../reporting/reporter.ts';
import { envOption, reporterOption } from './options.ts';
import { commandContext } from './program.ts';

interface LoadOptions {
  profile?: string;
  env?: string;
  reporter: string[];
  out?: string;
  prometheus: boolean;
  k8s?: boolean;
  parallelism: number;
  namespace?: string;
  credentialsSecret: string;
  list?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** `firedrill load <scenario>`: a k6 scenario judged like a probe, or a k6-operator manifest with `--k8s`. */
export function registerLoadCommands(program: Command): void {
  program
    .command('load')
    .description(
      'run a k6 load scenario from scenarios/ and judge its SLO thresholds (exit 1 when one is crossed)',
    )
    .argument('[scenario]', 'login, api, image-processing, smoke, release, … or a path to a k6 script')
    .addOption(
      new Option(
        '-p, --profile <name>',
        "how long and hard: smoke (seconds), release (minutes), soak (an hour); default: the scenario's",
      ).choices(['smoke', 'release', 'soak']),
    )
    .addOption(envOption())
    .addOption(reporterOption())
    .option(
      '--out <dir>',
      "where k6's summary and log (or the --k8s manifest) go (default: <stateDir>/load/<runId>)",
    )
    .option('--no-prometheus', "do not stream k6's metrics to the environment's Prometheus")
    .option(
      '--k8s',
      'write a k6-operator TestRun manifest (script in a ConfigMap) instead of running k6 here',
    )
    .addOption(new Option('--parallelism <n>', 'k6 runner pods for --k8s').argParser(positiveInt).default(1))
    .option('--namespace <name>', 'namespace for the --k8s objects')
    .option(
      '--credentials-secret <name>',
      'Secret with username/password keys the --k8s runners read',
      'firedrill-load-credentials',
    )
    .option('--list', 'list the scenarios and exit')
    .action(async (scenario: string | undefined, opts: LoadOptions, cmd: Command) => {
      process.exitCode = await loadAction(scenario, opts, cmd);
    });
}

async function loadAction(scenarioArg: string | undefined, opts: LoadOptions, cmd: Command): Promise<number> {
  const { config, root } = await commandContext(cmd);
  const load = await import('../load/index.ts');
  if (opts.list) {
    for (const s of await load.listScenarios(root)) process.stdout.write(`${s.name}\n`);
    return EXIT.ok;
  }
  if (!scenarioArg) {
    const names = (await load.listScenarios(root)).map((s) => s.name).join(', ');
    throw new SetupError(`name a scenario: firedrill load <scenario> (have: ${names || 'none'})`);
  }
  const { resolveStateDir } = await import('../stack/index.ts');
  const stateDir = resolveStateDir(config, root);
  // Setup errors (an unknown scenario, no target, no k6, a bad reporter) stop here with exit 2.
  const scenario = await load.resolveScenario(root, scenarioArg);
  const target = await load.resolveLoadTarget(config, opts.env ?? config.defaultEnvironment, stateDir, root);
  const runId = load.newLoadRunId();
  const outDir = path.resolve(opts.out ?? path.join(stateDir, 'load', runId));
  if (opts.k8s) return writeManifest(scenario, target, runId, outDir, opts);

  const k6 = await load.findK6();
  const { createReporters, loadFileReporters } = await import('../reporters/registry.ts');
  const { ReporterMultiplexer } = await import('../reporting/multiplexer.ts');
  const specs = opts.reporter.length ? opts.reporter : ['console'];
  const mux = new ReporterMultiplexer(
    createReporters(
      specs,
      { outDir: opts.out ? outDir : path.join(stateDir, 'reports') },
      await loadFileReporters(specs),
    ),
  );

  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(
    `firedrill load ${scenario.name}: ${load.describeK6(k6)} → ${target.baseUrl}${opts.profile ? ` (profile ${opts.profile})` : ''}`,
  );
  const abort = new AbortController();
  // First Ctrl-C: k6 stops its VUs and still writes the summary; the reports then show the partial run.
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  const refs: ResultRef[] = [];
  let lastProgress = 0;
  try {
    const run = await load.runLoad({
      scenario,
      target,
      outDir,
      runId,
      k6,
      prometheus: opts.prometheus,
      signal: abort.signal,
      ...(opts.profile ? { profile: opts.profile } : {}),
      onPlan: async (_plan, groups) => {
        await mux.onBegin({
          kind: 'scenario',
          total: groups.length,
          runId,
          environment: target.environment,
          startedAt: started,
        });
        for (const g of groups) {
          const ref: ResultRef = {
            id: load.resultIdFor(scenario.name, g),
            name: load.resultNameFor(scenario.name, g),
            kind: 'scenario',
            start: Date.now(),
          };
          refs.push(ref);
          mux.onResultBegin(ref);
        }
      },
      onLine: (line) => {
        // k6 prints a progress line a second when not on a terminal: one every 5 s is plenty.
        if (line.startsWith('running (')) {
          if (Date.now() - lastProgress < 5_000) return;
          lastProgress = Date.now();
          say(`k6 │ ${line}`);
        } else if (/\blevel=(warning|error)\b/.test(line)) {
          say(`k6 │ ${line}`);
        }
      },
    });
    await report(mux, refs, run.results);
    await mux.onEnd({ results: run.results, exitCode: run.exitCode, durationMs: Date.now() - started });
    say(
      `k6 exit ${run.k6.exitCode ?? run.k6.signal}; summary ${run.summaryFile ?? '(none)'}; log ${run.logFile}`,
    );
    return run.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function report(
  mux: { onStepEnd(ref: ResultRef, s: Result['steps'][number]): void; onResult(r: Result): Promise<void> },
  refs: ResultRef[],
  results: Result[],
): Promise<void> {
  for (const r of results) {
    const ref = refs.find((x) => x.id === r.id) ?? { id: r.id, name: r.name, kind: r.kind, start: r.start };
    for (const s of r.steps) mux.onStepEnd(ref, s);
    await mux.onResult(r);
  }
}

async function writeManifest(
  scenario: { name: string; file: string },
  target: { baseUrl: string; prometheusUrl?: string; location: string },
  runId: string,
  outDir: string,
  opts: LoadOptions,
): Promise<number> {
  const { bundleScenario, testRunManifest } = await import('../load/index.ts');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const bundle = await bundleScenario(scenario.file, {
    banner: `// ${scenario.name}: bundled by firedrill from ${path.basename(scenario.file)} (k6 modules left as imports)`,
  });
  const manifest = testRunManifest({
    scenario: scenario.name,
    script: bundle.code,
    parallelism: opts.parallelism,
    baseUrl: target.baseUrl,
    runId,
    location: target.location,
    credentialsSecret: opts.credentialsSecret,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.prometheus && target.prometheusUrl ? { prometheusUrl: target.prometheusUrl } : {}),
  });
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `${scenario.name}.testrun.yaml`);
  await writeFile(file, manifest.yaml);
  for (const w of manifest.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`${file}\n`);
  process.stderr.write(
    `apply with: kubectl apply -f ${file}  (needs the k6-operator and a Secret "${opts.credentialsSecret}" with username/password keys)\n`,
  );
  return EXIT.ok;
}
