/**
 * Scheduler: start-time lateness and memory over 10 000 runs.
 *
 *   node --expose-gc --import tsx bench/scheduler/run.ts [--minutes 2] [--stress-seconds 100]
 *
 * Method:
 * - Every probe is cheap and real: one HTTP GET (new connection) to a loopback target in its own
 *   process, asserting status 200, through the real runner; every Result goes to the metrics
 *   registry and a JSON-lines results file, as in `firedrill schedule`.
 * - Lateness is measured where the run starts (the runner's onStart): `Date.now()` minus the
 *   cron slot node-cron fired for (whole seconds), i.e. what a user sees between "due" and "running".
 * - Phase 1, the target load: 100 probes on `<s> * * * * *` with s = i mod 60, i.e. 100 runs a
 *   minute spread over the seconds of the minute, for `--minutes` minutes.
 * - Phase 2, stress and memory: the same 100 probes every second (`* * * * * *`, 6 000 runs a
 *   minute, 60× the target) for `--stress-seconds` (100 s → 10 000 runs), through real node-cron.
 *   Memory (RSS, V8 heap used) is sampled after a forced GC every 10 s while it runs; growth is
 *   the last sample against the first (taken after 10 s, ~1 000 runs, of warm-up).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ProbeMetrics } from '../../packages/firedrill/src/metrics/probe-metrics.ts';
import type { HttpProbeContext, ProbeDefinition } from '../../packages/firedrill/src/probes/define.ts';
import { createProbeRunner } from '../../packages/firedrill/src/probes/runner.ts';
import { ResultsFile } from '../../packages/firedrill/src/scheduler/results-file.ts';
import { Scheduler } from '../../packages/firedrill/src/scheduler/scheduler.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 2);
const STRESS_S = arg('stress-seconds', 100);
const PROBES = 100;
const REPO = path.resolve(import.meta.dirname, '../..');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});

async function startTarget(): Promise<string> {
  const child = spawn(process.execPath, [path.join(REPO, 'bench/http-probe/target.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d))),
  );
  return `http://127.0.0.1:${port}`;
}

function probes(baseUrl: string, schedule: (i: number) => string): ProbeDefinition[] {
  return Array.from({ length: PROBES }, (_, i) => ({
    id: `p${String(i).padStart(3, '0')}`,
    kind: 'http' as const,
    schedule: schedule(i),
    timeoutMs: 5_000,
    run: async ({ step, http }: HttpProbeContext) => {
      await step('get', () => http.get(`${baseUrl}/`, { expect: { status: 200 } }));
    },
  }));
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
const quantiles = (xs: number[]): Quantiles => ({
  p50: quantile(xs, 0.5),
  p90: quantile(xs, 0.9),
  p99: quantile(xs, 0.99),
  max: Math.max(...xs),
});

/**
 * The floor: a bare timer in the same process aimed at every whole second, measuring its own
 * lateness. What it shows is the machine (a descheduled process wakes late), not firedrill.
 */
function bareTimer(): { stop(): number[] } {
  const late: number[] = [];
  let timer: NodeJS.Timeout;
  const arm = () => {
    const due = Math.ceil((Date.now() + 1) / 1000) * 1000;
    timer = setTimeout(() => {
      late.push(Date.now() - due);
      arm();
    }, due - Date.now());
  };
  arm();
  return {
    stop: () => {
      clearTimeout(timer);
      return late;
    },
  };
}

interface PhaseReport {
  runs: number;
  skipped: number;
  latenessMs: Quantiles;
  bareTimerLatenessMs: Quantiles;
  memory?: {
    samples: { atRuns: number; rssMb: number; heapUsedMb: number }[];
    rssGrowthPct: number;
    heapGrowthPct: number;
  };
}

async function phase(
  name: string,
  defs: ProbeDefinition[],
  seconds: number,
  sampleMemory: boolean,
  dir: string,
): Promise<PhaseReport> {
  const logger = pino({ level: 'silent' });
  const metrics = new ProbeMetrics();
  const results = new ResultsFile(path.join(dir, `${name}.jsonl`), logger);
  const runner = createProbeRunner({
    env: {
      name: 'bench',
      baseUrl: 'http://127.0.0.1',
      stack: false,
      location: 'bench',
      allowFaults: false,
      production: false,
    },
    logger,
    artifactsDir: dir,
  });
  const lateness: number[] = [];
  const scheduler = new Scheduler({
    probes: defs,
    runner,
    metrics,
    location: 'bench',
    logger,
    onResult: (r) => results.append(r),
    onStart: (_id, ms) => lateness.push(ms),
  });
  const samples: { atRuns: number; rssMb: number; heapUsedMb: number }[] = [];
  const sample = () => {
    gc!();
    const m = process.memoryUsage();
    samples.push({ atRuns: scheduler.stats.finished, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) });
  };
  const floor = bareTimer();
  scheduler.start();
  const started = Date.now();
  let sampler: NodeJS.Timeout | undefined;
  if (sampleMemory) {
    sampler = setInterval(() => {
      sample();
      process.stderr.write(`  ${name}: ${JSON.stringify(samples.at(-1))}\n`);
    }, 10_000);
  }
  while (Date.now() - started < seconds * 1000) await new Promise((r) => setTimeout(r, 1000));
  clearInterval(sampler);
  const floorLateness = floor.stop();
  await scheduler.stop();
  await results.close();
  const report: PhaseReport = {
    runs: scheduler.stats.finished,
    skipped: scheduler.stats.skipped,
    latenessMs: quantiles(lateness),
    bareTimerLatenessMs: quantiles(floorLateness),
  };
  if (sampleMemory && samples.length >= 2) {
    const base = samples[0]!;
    const last = samples.at(-1)!;
    report.memory = {
      samples,
      rssGrowthPct: Math.round(((last.rssMb - base.rssMb) / base.rssMb) * 1000) / 10,
      heapGrowthPct: Math.round(((last.heapUsedMb - base.heapUsedMb) / base.heapUsedMb) * 1000) / 10,
    };
  }
  process.stderr.write(
    `${name}: ${JSON.stringify({ ...report, memory: report.memory && { ...report.memory, samples: undefined } })}\n`,
  );
  return report;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bench-scheduler-'));
const baseUrl = await startTarget();
const loadBefore = os.loadavg();
const target = await phase(
  'target-load',
  probes(baseUrl, (i) => `${i % 60} * * * * *`),
  MINUTES * 60,
  false,
  dir,
);
const stress = await phase(
  'stress',
  probes(baseUrl, () => '* * * * * *'),
  STRESS_S,
  true,
  dir,
);
rmSync(dir, { recursive: true, force: true });

const report = {
  benchmark: 'scheduler',
  date: new Date().toISOString(),
  params: {
    probes: PROBES,
    targetLoadMinutes: MINUTES,
    stressSeconds: STRESS_S,
    probe: 'one HTTP GET to a loopback target',
  },
  machine: {
    cpus: os.cpus().length,
    loadavgBefore: loadBefore.map((x) => Math.round(x * 100) / 100),
    loadavgAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
  },
  targetLoad: { description: '100 probes, each once a minute, spread over the seconds', ...target },
  stress: { description: '100 probes every second (6 000 runs/min)', ...stress },
};
mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
writeFileSync(path.join(REPO, 'bench/results/scheduler.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(
  `${JSON.stringify({ targetLoad: target.latenessMs, targetLoadBareTimer: target.bareTimerLatenessMs, stress: { ...stress.latenessMs, runs: stress.runs, memory: stress.memory && { rssGrowthPct: stress.memory.rssGrowthPct, heapGrowthPct: stress.memory.heapGrowthPct } } }, null, 2)}\n`,
);
process.exit(0);
