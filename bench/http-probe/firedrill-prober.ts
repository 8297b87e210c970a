// firedrill's side of the comparison, in its own process: N probe runs through the real runner
// (timeout, steps, request ids, Result building) and their metrics, at a fixed concurrency.
// Prints one JSON line: probes, CPU seconds of this process while probing, wall seconds.
import pino from 'pino';
import { ProbeMetrics } from '../../packages/firedrill/src/metrics/probe-metrics.ts';
import type { ProbeDefinition } from '../../packages/firedrill/src/probes/define.ts';
import { createProbeRunner } from '../../packages/firedrill/src/probes/runner.ts';

const [url, countArg, concurrencyArg, warmupArg] = process.argv.slice(2);
const count = Number(countArg ?? 2000);
const concurrency = Number(concurrencyArg ?? 10);
const warmup = Number(warmupArg ?? 3000);

const probe: ProbeDefinition = {
  id: 'bench',
  kind: 'http',
  timeoutMs: 5_000,
  run: async ({ http }) => {
    await http.get(url!, { expect: { status: 200 } });
  },
};
const runner = createProbeRunner({
  env: {
    name: 'bench',
    baseUrl: url!,
    stack: false,
    location: 'bench',
    allowFaults: false,
    production: false,
  },
  logger: pino({ level: 'silent' }),
  artifactsDir: '/tmp/firedrill-bench',
});
const metrics = new ProbeMetrics();
metrics.describe({ id: 'bench', kind: 'http', location: 'bench' });

async function batch(n: number): Promise<{ ok: number; processing: number[] }> {
  let next = 0;
  let ok = 0;
  const processing: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const r = await runner.run(probe);
        metrics.observe(r, 'http');
        if (r.status === 'pass') ok++;
        const t = r.steps[0]?.timings;
        if (t) processing.push(t.processing ?? 0);
      }
    }),
  );
  return { ok, processing };
}

// JIT warm-up, as a long-running prober is; not counted.
await batch(warmup);
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const { ok } = await batch(count);
const cpu = process.cpuUsage(cpu0);
const wallS = (performance.now() - wall0) / 1000;
process.stdout.write(
  `${JSON.stringify({ probes: count, ok, cpuS: (cpu.user + cpu.system) / 1e6, wallS })}\n`,
);
