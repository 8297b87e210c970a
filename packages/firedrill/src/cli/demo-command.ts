import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { EXIT } from '../core/exit.ts';
import type { Result } from '../core/result.ts';
import { buildProgram, commandContext, type GlobalOptions } from './program.ts';

interface DemoOptions {
  drill: string[];
  out: string;
}

/**
 * `firedrill demo`: the README's main job. It is the same commands a user would type —
 * `stack up`, `probe --push`, `drill --push` — run one after another in this process, then one report
 * over all their results, so what the demo shows is exactly what the CLI does.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the main job end to end: local stack up, every probe, a drill, one report')
    .option('--drill <id>', 'drill to run; repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .option('--out <dir>', 'report directory', 'reports/demo')
    .action(async (opts: DemoOptions, cmd: Command) => {
      process.exitCode = await demoAction(opts, cmd);
    });
}

async function run(cmd: Command, runId: string, args: string[]): Promise<number> {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  // The env files were loaded once already (they never override what is set, so again is a no-op).
  const argv = [
    'node',
    'firedrill',
    ...(globals.config ? ['--config', globals.config] : []),
    ...(globals.logLevel ? ['--log-level', globals.logLevel] : []),
    ...(globals.verbose ? ['--verbose'] : []),
    ...(globals.logFile ? ['--log-file', globals.logFile] : []),
    // One run id for the whole demo: its probes, its drill and the report over both.
    '--run-id',
    runId,
  ];
  process.exitCode = undefined;
  await buildProgram().parseAsync([...argv, ...args]);
  const code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  process.exitCode = undefined;
  return code;
}

function banner(text: string): void {
  process.stdout.write(
    `\n${pc.bold(pc.cyan(`━━ ${text} `))}${pc.cyan('━'.repeat(Math.max(0, 60 - text.length)))}\n\n`,
  );
}

async function readResults(file: string): Promise<Result[]> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { results: Result[] }).results;
  } catch {
    return [];
  }
}

const secs = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);

async function demoAction(opts: DemoOptions, cmd: Command): Promise<number> {
  const started = Date.now();
  const out = path.resolve(opts.out);
  const drills = opts.drill.length ? opts.drill : ['api-error-rate'];
  const runId = cmd.optsWithGlobals<{ runId?: string }>().runId ?? `demo-${started.toString(36)}`;

  banner('1/4  local stack');
  const stackCode = await run(cmd, runId, ['stack', 'up']);
  if (stackCode !== EXIT.ok) return EXIT.setup;

  banner('2/4  probes: login, API and image flows, in Chromium and over HTTP');
  const probeJson = path.join(out, 'probes.json');
  const probeCode = await run(cmd, runId, [
    'probe',
    '--push',
    '--reporter',
    'console',
    '--reporter',
    `json=${probeJson}`,
    '--out',
    out,
  ]);
  if (probeCode === EXIT.setup) return EXIT.setup;

  banner(`3/4  drill: ${drills.join(', ')}`);
  const drillJson = path.join(out, 'drills.json');
  const drillCode = await run(cmd, runId, [
    'drill',
    ...drills,
    '--push',
    '--reporter',
    'console',
    '--reporter',
    `json=${drillJson}`,
  ]);
  if (drillCode === EXIT.setup) return EXIT.setup;

  banner('4/4  report');
  const results = [...(await readResults(probeJson)), ...(await readResults(drillJson))];
  const { createReporters } = await import('../reporters/registry.ts');
  const { ReporterMultiplexer } = await import('../reporting/multiplexer.ts');
  const { exitCodeFor } = await import('../core/exit.ts');
  const mux = new ReporterMultiplexer(createReporters(['html', 'junit', 'json'], { outDir: out }));
  await mux.onBegin({
    kind: 'mixed',
    total: results.length,
    runId,
    startedAt: started,
  });
  for (const r of results) await mux.onResult(r);
  const exitCode = exitCodeFor(results);
  await mux.onEnd({ results, exitCode, durationMs: Date.now() - started });

  const { config, root } = await commandContext(cmd);
  const { readStackState, resolveStateDir, stackUrls } = await import('../stack/index.ts');
  const state = await readStackState(resolveStateDir(config, root));
  const urls = state ? stackUrls(state) : undefined;

  const line = (k: string, v: string) => process.stdout.write(`  ${k.padEnd(22)} ${v}\n`);
  process.stdout.write(`${pc.bold('What happened')}\n`);
  for (const r of results) {
    const mark = r.status === 'pass' ? pc.green('✓') : pc.red('✗');
    const what = `${r.kind} ${r.id}`.padEnd(28);
    process.stdout.write(
      `  ${mark} ${what} ${r.status}${r.flaky ? ' (flaky)' : ''} in ${secs(r.durationMs)}\n`,
    );
  }
  for (const d of results.filter((r) => r.kind === 'drill')) {
    const m = d.metrics ?? {};
    process.stdout.write(`\n${pc.bold(`Drill ${d.id}: hop latencies`)}\n`);
    line('fault → alert firing', secs(m.hop_ms_fire));
    line('fault → Alertmanager', secs(m.hop_ms_alertmanager));
    line('fault → Slack message', secs(m.hop_ms_notify));
    line('fault → logs indexed', secs(m.hop_ms_log));
    line('rollback → resolved', secs(m.hop_ms_resolve));
    line("firedrill's own share", secs(m.own_ms_notify));
    line('rollback', d.rollback?.status ?? '—');
  }
  process.stdout.write(`\n${pc.bold('Look around')}\n`);
  line('HTML report', path.join(out, 'index.html'));
  line('JUnit / JSON', `${path.join(out, 'junit.xml')}  ${path.join(out, 'results.json')}`);
  if (urls) {
    line('demo app', `${urls.baseUrl}/login  (demo / demo-password)`);
    line('Prometheus', `${urls.prometheusUrl}/alerts`);
    line('Alertmanager', urls.alertmanagerUrl);
    line('Slack sink', `${urls.slackApiUrl.replace(/\/api$/, '')}/_sink/messages`);
    line('OpenSearch', `${urls.elasticsearchUrl}/app-logs-*/_search`);
  }
  line('stop the stack', 'npx firedrill stack down');
  const verdict = exitCode === 0 ? pc.green(pc.bold('PASSED')) : pc.red(pc.bold('FAILED'));
  process.stdout.write(`\n${verdict} in ${secs(Date.now() - started)}\n`);
  return exitCode;
}
