import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../packages/firedrill/src/config/load.ts';
import { describeK6, findK6, type K6Runtime } from '../../packages/firedrill/src/load/find-k6.ts';
import { runLoad } from '../../packages/firedrill/src/load/run.ts';
import { resolveScenario } from '../../packages/firedrill/src/load/scenarios.ts';
import { type LoadTarget, resolveLoadTarget } from '../../packages/firedrill/src/load/target.ts';
import { testStack, waitFor } from './stack-env.ts';

/**
 * The smoke profile of every scenario, with the real k6, against the real stack's demo app; then
 * k6's own series, streamed by remote write, are found in the stack's Prometheus. ~5 s of load
 * per scenario, one after another (2 cores: the login flow alone keeps one busy with scrypt).
 */
const found: { k6: K6Runtime; reason?: undefined } | { k6?: undefined; reason: string } = await findK6({
  docker: false,
}).then(
  (k6) => ({ k6 }),
  (err: Error) => ({
    reason: `no k6 binary (run scripts/install-k6.sh): ${err.message.replace(/\s+/g, ' ')}`,
  }),
);

const SCENARIOS: Array<[string, string[]]> = [
  ['login', ['login']],
  ['api', ['api']],
  ['image-processing', ['image-processing']],
  ['smoke', ['smoke/api', 'smoke/image-processing', 'smoke/login']],
];

async function promVector(prometheusUrl: string, expr: string): Promise<Array<Record<string, string>>> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
  return body.data.result.map((r) => r.metric);
}

describe('firedrill load against the local stack', () => {
  if (!found.k6) {
    // Never a silent pass: the skip and its reason show in the test output, and in CI (where
    // scripts/setup.sh installs k6) it is a failure, not a skip.
    if (process.env.CI)
      throw new Error(`k6 missing in CI, where scripts/setup.sh installs it: ${found.reason}`);
    it(`skipped: ${found.reason}`, (ctx) => {
      process.stderr.write(`[load.test] SKIPPED: ${found.reason}\n`);
      ctx.skip(found.reason);
    });
    return;
  }
  const k6 = found.k6;
  let target: LoadTarget;
  let out: string;

  beforeAll(async () => {
    const stack = await testStack();
    const { config } = await loadConfig(path.join(stack.root, 'config', 'firedrill.config.ts'));
    target = {
      ...(await resolveLoadTarget(config, 'local', inject('stackStateDir'))),
      location: 'integration',
    };
    out = await mkdtemp(path.join(tmpdir(), 'load-integration-'));
    process.stderr.write(
      `[load.test] ${describeK6(k6)} → ${target.baseUrl}, metrics → ${target.prometheusUrl}\n`,
    );
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it.each(SCENARIOS)(
    '%s: smoke profile passes its SLOs and its series reach Prometheus',
    async (name, ids) => {
      const scenario = await resolveScenario(inject('projectRoot'), name);
      const started = Date.now();
      const run = await runLoad({
        scenario,
        target,
        profile: 'smoke',
        outDir: path.join(out, name),
        k6,
        // Bounded however the profile is edited: 5 s of load plus graceful stops fit well inside.
        timeoutMs: 45_000,
      });
      const took = Date.now() - started;
      const failures = run.results.flatMap((r) =>
        r.steps.filter((s) => s.status !== 'pass').map((s) => `${r.id}: ${s.error?.message ?? s.name}`),
      );
      expect(failures, `k6 log: ${run.logFile}`).toEqual([]);
      expect(run.k6.exitCode).toBe(0);
      expect(run.exitCode).toBe(0);
      expect(run.results.map((r) => [r.id, r.status])).toEqual(ids.map((id) => [id, 'pass']));
      for (const r of run.results) expect(r.metrics?.http_req_duration_count).toBeGreaterThan(0);
      expect(took).toBeLessThan(30_000);

      // Remote write: k6 flushes at the end of the run, so the series are there within seconds.
      const flows = ids.map((id) => id.split('/').at(-1)!).sort();
      const seen = await waitFor(
        `k6 series for testid=${run.runId}`,
        async () => {
          const v = await promVector(
            target.prometheusUrl!,
            `count by (flow) (k6_http_reqs_total{testid="${run.runId}"})`,
          );
          const got = v.map((m) => m.flow ?? '').sort();
          return got.length === flows.length ? got : undefined;
        },
        15_000,
      );
      expect(seen).toEqual(flows);
      const p99 = await promVector(target.prometheusUrl!, `k6_http_req_duration_p99{testid="${run.runId}"}`);
      expect(p99.length).toBeGreaterThan(0);
      // Route templates, not URLs: the url tag is off, so series stay few.
      expect(p99.every((m) => m.url === undefined && (m.name ?? '').startsWith('/api/'))).toBe(true);
      expect(new Set(p99.map((m) => m.location))).toEqual(new Set(['integration']));
      if (flows.includes('image-processing')) {
        const image = await promVector(
          target.prometheusUrl!,
          `k6_image_processing_duration_p95{testid="${run.runId}",flow="image-processing"}`,
        );
        expect(image).toHaveLength(1);
      }
    },
  );
});
