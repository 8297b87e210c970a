import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SetupError } from '../core/errors.ts';
import { EXIT, type ExitCode, exitCodeFor } from '../core/exit.ts';
import type { Artifact, Result } from '../core/result.ts';
import { bundleScenario } from './bundle.ts';
import { findK6, type K6Runtime, runsTypeScriptNatively } from './find-k6.ts';
import { type K6Plan, parseInspectOutput, plannedGroups } from './inspect.ts';
import { k6Command } from './invocation.ts';
import { k6ExitMeaning } from './k6-exit-codes.ts';
import { type OutputStream, runK6Process } from './k6-process.ts';
import { loadResults } from './results.ts';
import type { ScenarioFile } from './scenarios.ts';
import { parseSummaryExport } from './summary.ts';
import type { LoadTarget } from './target.ts';

const execFileP = promisify(execFile);

/** Stats k6 computes for every Trend; every percentile a threshold may name must be here. */
export const SUMMARY_TREND_STATS = 'avg,min,med,max,p(90),p(95),p(99),p(99.9),count';
/** What each Trend becomes in Prometheus (`k6_http_req_duration_p95`, …); few, for few series. */
export const PROMETHEUS_TREND_STATS = 'p(95),p(99),avg,max,count';

export class LoadSetupError extends SetupError {
  override name = 'LoadSetupError';
  override readonly type = 'load-setup';
}

export interface LoadRunOptions {
  scenario: ScenarioFile;
  target: LoadTarget;
  /** `PROFILE` for the scenario; the scenario's own default when omitted. */
  profile?: string;
  /** Where the summary, the k6 log and any bundle go; created if missing. */
  outDir: string;
  runId?: string;
  k6?: K6Runtime;
  /** Stream k6's metrics to `target.prometheusUrl` with remote write. @defaultValue true */
  prometheus?: boolean;
  /** More `-e NAME=value` for the script. */
  scriptEnv?: Record<string, string>;
  onLine?: (line: string, stream: OutputStream) => void;
  /** Called (and awaited) once the plan is known, before k6 starts: the results to expect, in order. */
  onPlan?: (plan: K6Plan, groups: string[]) => void | Promise<void>;
  signal?: AbortSignal;
  /** Hard cap; defaults to k6's own longest duration plus a minute. */
  timeoutMs?: number;
}

export interface LoadRun {
  runId: string;
  results: Result[];
  /** firedrill's exit code: 0 all SLOs held, 1 something failed, 2 k6 refused the script. */
  exitCode: ExitCode;
  k6: { runtime: K6Runtime; exitCode: number | null; signal: NodeJS.Signals | null; stoppedBy?: string };
  plan: K6Plan;
  summaryFile?: string;
  logFile: string;
}

export function newLoadRunId(): string {
  return `load-${randomBytes(4).toString('hex')}`;
}

/**
 * Runs one scenario with k6 and returns firedrill results. Order: find k6, bundle when k6 cannot
 * read TypeScript, `k6 inspect` (a broken script or bad options fail here, as a setup error,
 * before any load), `k6 run` with the summary export and the remote-write output, then the
 * summary turned into results.
 */
export async function runLoad(opts: LoadRunOptions): Promise<LoadRun> {
  const runId = opts.runId ?? newLoadRunId();
  const k6 = opts.k6 ?? (await findK6());
  const outDir = path.resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });

  let script = opts.scenario.file;
  if (!runsTypeScriptNatively(k6.version) && /\.ts$/.test(script)) {
    const bundled = await bundleScenario(script, { banner: `// bundled by firedrill from ${script}` });
    script = path.join(outDir, `${opts.scenario.name}.bundle.js`);
    await writeFile(script, bundled.code);
  }

  const secretEnv: Record<string, string> = opts.target.credentials
    ? {
        FIREDRILL_USERNAME: opts.target.credentials.username,
        FIREDRILL_PASSWORD: opts.target.credentials.password,
      }
    : {};
  const prometheus = opts.prometheus !== false && opts.target.prometheusUrl !== undefined;
  const k6Env: Record<string, string> = {
    ...secretEnv,
    K6_NO_USAGE_REPORT: 'true',
    ...(prometheus
      ? {
          K6_PROMETHEUS_RW_SERVER_URL: `${opts.target.prometheusUrl!.replace(/\/+$/, '')}/api/v1/write`,
          K6_PROMETHEUS_RW_TREND_STATS: PROMETHEUS_TREND_STATS,
          ...opts.target.prometheusEnv,
        }
      : {}),
  };
  const cmd = k6Command(k6, { scenariosDir: opts.scenario.dir, outDir, passEnv: Object.keys(k6Env) });
  // Credentials travel in the environment (k6 copies it into __ENV), never in argv where `ps` shows them.
  const scriptEnv = {
    BASE_URL: opts.target.baseUrl,
    FIREDRILL_RUN_ID: runId,
    ...(opts.profile ? { PROFILE: opts.profile } : {}),
    ...opts.scriptEnv,
  };
  const envArgs = Object.entries(scriptEnv).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const childEnv = { ...process.env, ...k6Env };

  const plan = await inspect(
    cmd.command,
    [...cmd.prefix, 'inspect', '--execution-requirements', ...envArgs, cmd.k6Path(script)],
    childEnv,
  );
  const groups = plannedGroups(plan);
  await opts.onPlan?.(plan, groups);

  const summaryFile = path.join(outDir, 'summary.json');
  const logFile = path.join(outDir, 'k6.log');
  const args = [
    ...cmd.prefix,
    'run',
    '--no-color',
    `--summary-export=${cmd.k6Path(summaryFile)}`,
    `--summary-trend-stats=${SUMMARY_TREND_STATS}`,
    // testid is what k6's own Grafana dashboards filter on.
    `--tag=testid=${runId}`,
    `--tag=location=${opts.target.location}`,
    ...(prometheus ? ['--out=experimental-prometheus-rw'] : []),
    ...envArgs,
    cmd.k6Path(script),
  ];
  const timeoutMs = opts.timeoutMs ?? (plan.totalDurationMs ?? 2 * 3_600_000) + 60_000;
  const start = Date.now();
  const proc = await runK6Process({
    command: cmd.command,
    args,
    env: childEnv,
    logFile,
    timeoutMs,
    ...(opts.onLine ? { onLine: opts.onLine } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const durationMs = Date.now() - start;

  const haveSummary = existsSync(summaryFile);
  const summary = haveSummary
    ? parseSummaryExport(JSON.parse(await readFile(summaryFile, 'utf8')))
    : undefined;
  const artifacts: Artifact[] = [
    ...(haveSummary
      ? [
          {
            kind: 'other' as const,
            path: summaryFile,
            contentType: 'application/json',
            description: 'k6 end-of-test summary',
          },
        ]
      : []),
    { kind: 'log', path: logFile, contentType: 'text/plain', description: 'k6 output' },
  ];
  const stopped = proc.stoppedBy === 'timeout' ? `firedrill stopped k6 after ${timeoutMs}ms` : undefined;
  const lastError = [stopped, proc.lastError].filter(Boolean).join('; ');
  const results = loadResults(summary, {
    scenario: opts.scenario.name,
    ...(opts.profile ? { profile: opts.profile } : {}),
    runId,
    start,
    durationMs,
    environment: opts.target.environment,
    location: opts.target.location,
    plannedGroups: groups,
    exitCode: proc.exitCode,
    signal: proc.signal,
    ...(lastError ? { lastError } : {}),
    artifacts,
  });
  const setup = k6ExitMeaning(proc.exitCode, proc.signal).outcome === 'setup';
  return {
    runId,
    results,
    exitCode: setup ? EXIT.setup : exitCodeFor(results),
    k6: {
      runtime: k6,
      exitCode: proc.exitCode,
      signal: proc.signal,
      ...(proc.stoppedBy ? { stoppedBy: proc.stoppedBy } : {}),
    },
    plan,
    ...(haveSummary ? { summaryFile } : {}),
    logFile,
  };
}

async function inspect(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<K6Plan> {
  try {
    const { stdout } = await execFileP(command, args, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return parseInspectOutput(stdout);
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: number | string };
    const lines = (e.stderr ?? '').split('\n').filter((l) => l.trim());
    const why = lines.map((l) => /msg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1] ?? l).at(-1) ?? e.message;
    throw new LoadSetupError(
      `k6 inspect rejected the scenario${typeof e.code === 'number' ? ` (exit ${e.code})` : ''}: ${why.replace(/\\n\\t.*$/s, '').replace(/\\(.)/g, '$1')}`,
    );
  }
}
