/**
 * Browser login probe: firedrill vs a bare Playwright script, same warm-browser isolation.
 *
 *   npx tsx bench/browser-probe/run.ts [--runs 30] [--warmup 3] [--out bench/results/browser-probe.json]
 *
 * Both sides run the login probe's own `run` (same page calls); the bare side gives it a plain
 * fresh context and a pass-through `step`, firedrill runs it through its browser runtime (request
 * ids, vitals, Faro routing, trace-on-failure) and the test harness's step recorder. Variants are
 * interleaved in a new random order each round. Then PSS per concurrent signed-in context.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { type Browser, type BrowserContext, chromium } from 'playwright';
import { CHROMIUM_ARGS, findBrowserPid } from '../../packages/firedrill/src/probes/browser/chromium.ts';
import {
  type BrowserRuntime,
  createBrowserRuntime,
} from '../../packages/firedrill/src/probes/browser/runtime.ts';
import type { BrowserProbeContext } from '../../packages/firedrill/src/probes/define.ts';
import login, { signIn } from '../../probes/login.probe.ts';
import { runProbe } from '../../test/unit/probes/browser/harness.ts';
import { startDemoProcess } from './demo-process.ts';
import { treeCpuMs, treePssMb } from './pss.ts';
import { shuffled, summarize } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/browser-probe.json' },
  },
});
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const EXECUTABLE = process.env.FIREDRILL_CHROMIUM ?? '/usr/bin/chromium';
const CREDENTIALS = { username: 'demo', password: 'demo-password' };
const silent = pino({ level: 'silent' });

function plainContext(
  page: BrowserProbeContext['page'],
  context: BrowserContext,
  baseUrl: string,
): BrowserProbeContext {
  return {
    env: {
      name: 'bench',
      baseUrl,
      stack: false,
      location: 'bench',
      allowFaults: false,
      production: false,
      credentials: CREDENTIALS,
    },
    runId: 'bare',
    attempt: 1,
    log: silent,
    signal: new AbortController().signal,
    step: (_name, fn) => fn(),
    recordMetric: () => {},
    requestId: () => 'bare',
    http: undefined as never,
    page,
    context,
  };
}

async function main(): Promise<void> {
  const demo = await startDemoProcess();
  const artifactsDir = await mkdtemp(join(tmpdir(), 'fd-bench-browser-'));
  const bareMarker = `--firedrill-bench-bare=${randomUUID()}`;
  const bare: Browser = await chromium.launch({
    executablePath: EXECUTABLE,
    args: [...CHROMIUM_ARGS, bareMarker],
  });
  const runtimes: Record<string, BrowserRuntime> = {
    firedrill: await createBrowserRuntime({ logger: silent }),
    'firedrill-trace-off': await createBrowserRuntime({ logger: silent, trace: 'off' }),
    'firedrill-trace-snapshots': await createBrowserRuntime({ logger: silent, traceSnapshots: true }),
    'firedrill-trace-full': await createBrowserRuntime({
      logger: silent,
      traceSnapshots: true,
      traceScreenshots: true,
    }),
  };
  const barePid = await findBrowserPid(bareMarker);
  if (!barePid) throw new Error('bare browser pid not found');
  // Warm each runtime's browser (it launches lazily) so pids exist before the first measured round.
  for (const r of Object.values(runtimes)) {
    const s = await r.openSession({ runId: 'warm', artifactsDir, signal: new AbortController().signal });
    await s.finish({ failed: false });
  }
  const reused = await bare.newContext();
  const reusedPage = await reused.newPage();
  const breakdown = { open: [] as number[], run: [] as number[], finish: [] as number[] };

  const variants: Record<string, () => Promise<number>> = {
    bare: async () => {
      const t = performance.now();
      const context = await bare.newContext();
      const page = await context.newPage();
      await login.run(plainContext(page, context, demo.url));
      await context.close();
      return performance.now() - t;
    },
    'bare-no-new-context': async () => {
      const t = performance.now();
      await login.run(plainContext(reusedPage, reused, demo.url));
      return performance.now() - t;
    },
  };
  for (const [name, runtime] of Object.entries(runtimes)) {
    variants[name] = async () => {
      const timed = name === 'firedrill' ? timing(runtime, breakdown) : runtime;
      const t = performance.now();
      const { result } = await runProbe(login, timed, {
        baseUrl: demo.url,
        artifactsDir,
        credentials: CREDENTIALS,
      });
      const elapsed = performance.now() - t;
      if (result.status !== 'pass') throw new Error(`${name}: ${result.status}: ${result.error?.message}`);
      return elapsed;
    };
  }

  const pidOf: Record<string, number> = { bare: barePid, 'bare-no-new-context': barePid };
  for (const [name, r] of Object.entries(runtimes)) pidOf[name] = (await r.browserPid())!;
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const loadBefore = loadavg();
  for (let round = 0; round < WARMUP + RUNS; round++) {
    if (round === WARMUP) for (const list of Object.values(breakdown)) list.length = 0;
    for (const name of shuffled(Object.keys(variants))) {
      // CPU of the browser tree plus this process (Playwright client, route handlers): under a
      // loaded machine wall time swings with other tenants, CPU spent per run much less.
      const cpu0 =
        (await treeCpuMs(pidOf[name]!)) + process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000;
      const ms = await variants[name]!();
      const cpu1 =
        (await treeCpuMs(pidOf[name]!)) + process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000;
      if (round >= WARMUP) {
        samples[name]!.push(ms);
        cpu[name]!.push(cpu1 - cpu0);
      }
    }
    process.stderr.write(`round ${round + 1}/${WARMUP + RUNS}\r`);
  }
  const loadAfter = loadavg();
  const timings = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
  const cpuMs = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, summarize(v)]));
  const ratio = (a: string, b: string, f: 'median' | 'p95') =>
    Math.round((timings[a]![f] / timings[b]![f]) * 100) / 100;

  const openFiredrill = (runtime: BrowserRuntime) => async () => {
    const session = await runtime.openSession({
      runId: `pss-${randomUUID()}`,
      artifactsDir,
      signal: new AbortController().signal,
    });
    await signIn({ ...plainContext(session.page, session.context, demo.url), step: (_n, fn) => fn() });
    return async () => {
      await session.finish({ failed: false });
    };
  };
  const memory: Record<string, Record<string, number | number[]>> = {
    bare: await pssPerContext(barePid, async () => {
      const context = await bare.newContext();
      const page = await context.newPage();
      await signIn(plainContext(page, context, demo.url));
      return () => context.close();
    }),
  };
  for (const name of ['firedrill', 'firedrill-trace-off', 'firedrill-trace-snapshots']) {
    memory[name] = await pssPerContext((await runtimes[name]!.browserPid())!, openFiredrill(runtimes[name]!));
  }

  const report = {
    benchmark: 'browser-probe',
    date: new Date().toISOString(),
    method:
      `${RUNS} measured rounds after ${WARMUP} warm-up rounds; each round runs every variant once in a random order. ` +
      'Times are wall-clock per run including context creation and close. Both sides run probes/login.probe.ts run(): ' +
      'open /login, fill, submit, wait for the signed-in user, log out. PSS: sum of /proc/<pid>/smaps_rollup Pss over ' +
      "the browser's process tree with N signed-in contexts open; per context = (PSS(5) - PSS(1)) / 4.",
    machine: {
      cpus: (await import('node:os')).cpus().length,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
      node: process.version,
      chromium: bare.version(),
    },
    variants: {
      bare: 'plain browser.newContext() + newPage(), the probe run() with a pass-through step, context.close()',
      'bare-no-new-context': 'the same run() on one reused context and page (no context cost)',
      firedrill:
        'browser runtime defaults (request ids, vitals, Faro routing, console capture, password capture, trace on-failure without DOM snapshots) through a step-recording harness',
      'firedrill-trace-off': 'as firedrill, trace: off',
      'firedrill-trace-snapshots': 'as firedrill, trace with DOM snapshots (traceSnapshots: true)',
      'firedrill-trace-full': 'as firedrill, trace with DOM snapshots and screencast screenshots',
    },
    timingsMs: timings,
    ratios: {
      firedrillVsBareMedian: ratio('firedrill', 'bare', 'median'),
      firedrillVsBareP95: ratio('firedrill', 'bare', 'p95'),
      traceOffVsBareMedian: ratio('firedrill-trace-off', 'bare', 'median'),
      traceSnapshotsVsBareMedian: ratio('firedrill-trace-snapshots', 'bare', 'median'),
      traceFullVsBareMedian: ratio('firedrill-trace-full', 'bare', 'median'),
      cpuFiredrillVsBareMedian: Math.round((cpuMs.firedrill!.median / cpuMs.bare!.median) * 100) / 100,
      cpuTraceOffVsBareMedian:
        Math.round((cpuMs['firedrill-trace-off']!.median / cpuMs.bare!.median) * 100) / 100,
      cpuTraceFullVsBareMedian:
        Math.round((cpuMs['firedrill-trace-full']!.median / cpuMs.bare!.median) * 100) / 100,
    },
    cpuMsPerRun: cpuMs,
    firedrillBreakdownMs: {
      openSession: summarize(breakdown.open),
      run: summarize(breakdown.run),
      finish: summarize(breakdown.finish),
    },
    memoryPssMb: memory,
  };
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));

  await reused.close();
  await bare.close();
  for (const r of Object.values(runtimes)) await r.close();
  await demo.stop();
}

/** Wraps a runtime to time openSession / the probe's run / finish separately. */
function timing(
  runtime: BrowserRuntime,
  out: { open: number[]; run: number[]; finish: number[] },
): BrowserRuntime {
  return {
    ...runtime,
    openSession: async (o) => {
      const t0 = performance.now();
      const session = await runtime.openSession(o);
      const t1 = performance.now();
      out.open.push(t1 - t0);
      return {
        ...session,
        finish: async (f) => {
          const t2 = performance.now();
          out.run.push(t2 - t1);
          const done = await session.finish(f);
          out.finish.push(performance.now() - t2);
          return done;
        },
      };
    },
  };
}

/**
 * PSS of the browser's process tree with 1 and with 5 signed-in contexts open; per context is the
 * slope between the two. Three repetitions, median slope: renderers settle at slightly different
 * sizes each time.
 */
async function pssPerContext(
  pid: number,
  openOne: () => Promise<() => Promise<void>>,
): Promise<Record<string, number | number[]>> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
  const slopes: number[] = [];
  let last = { one: 0, five: 0, processes: 0 };
  for (let rep = 0; rep < 3; rep++) {
    const closers = [await openOne()];
    await settle();
    const one = await treePssMb(pid);
    for (let i = 1; i < 5; i++) closers.push(await openOne());
    await settle();
    const five = await treePssMb(pid);
    for (const close of closers) await close();
    slopes.push((five.mb - one.mb) / 4);
    last = { one: one.mb, five: five.mb, processes: five.processes };
  }
  return {
    oneContextMb: last.one,
    fiveContextsMb: last.five,
    processesWithFive: last.processes,
    perContextMb: Math.round(summarize(slopes).median * 10) / 10,
    perContextRunsMb: slopes.map((v) => Math.round(v * 10) / 10),
  };
}

await main();
