import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillsDashboard } from '../../config/dashboards/drills.ts';
import { probesDashboard } from '../../config/dashboards/probes.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import { loadDashboard, prometheusQueries, withVariablesFilled } from '../fixtures/dashboards.ts';
import { runCli, TEST_CONFIG } from '../fixtures/probes-integration/cli.ts';
import { promQuery, type TestStack, testStack, waitFor } from './stack-env.ts';

// The metrics issue's "done when": after `firedrill demo` (every probe and a drill, pushed as a
// user's CI would), every query of the Probes and Drills dashboards returns data from the
// stack's real Prometheus, and the drill's result and hops read back with PromQL are the
// numbers its JSON report holds.

let stack: TestStack;
let tmp: string;
let drill: Result;
let demoStarted = 0;

beforeAll(async () => {
  stack = await testStack();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'firedrill-dashboards-it-'));
  demoStarted = Date.now();
  const run = await runCli(stack.root, ['--config', TEST_CONFIG, 'demo', '--out', tmp], 150_000);
  process.stderr.write(
    `[dashboards] firedrill demo took ${((Date.now() - demoStarted) / 1000).toFixed(1)} s\n`,
  );
  expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
  const report = JSON.parse(await readFile(path.join(tmp, 'drills.json'), 'utf8')) as { results: Result[] };
  drill = report.results[0]!;
}, 200_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function series(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${stack.urls.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

describe('after a demo run', () => {
  it("the drill's last result, run time and hops are in Prometheus, pushed as job firedrill-push", async () => {
    const sel = `job="firedrill-push",drill="${drill.id}",environment="local"`;
    const ended = await waitFor('the drill push in Prometheus', async () => {
      const t = await promQuery(stack.urls, `firedrill_drill_last_run_timestamp_seconds{${sel}}`);
      return t !== undefined && t * 1000 >= demoStarted ? t : undefined;
    });
    expect(ended * 1000).toBeCloseTo(drill.start + drill.durationMs, -1);
    expect(await promQuery(stack.urls, `firedrill_drill_last_result{${sel},result="${drill.status}"}`)).toBe(
      1,
    );
    expect(await promQuery(stack.urls, `sum(firedrill_drill_last_result{${sel}})`)).toBe(1);
    for (const hop of ['fire', 'notify', 'resolve']) {
      const ms = drill.metrics?.[`hop_ms_${hop}`];
      expect(ms, hop).toBeDefined();
      const s = await promQuery(stack.urls, `firedrill_drill_last_hop_seconds{${sel},hop="${hop}"}`);
      expect(s, hop).toBeCloseTo(ms! / 1000, 3);
    }
    // Pushed series carry no counter: nothing that restarts at 1 with every CI run.
    expect(await series('firedrill_drill_runs_total{job="firedrill-push"}')).toEqual([]);
  });

  it.each([probesDashboard.file, drillsDashboard.file])('every query of %s returns data', async (file) => {
    const queries = prometheusQueries(loadDashboard(stack.root, file));
    expect(queries.length).toBeGreaterThan(5);
    // Pushed groups reach Prometheus on its next scrape of the Pushgateway.
    const empty = await waitFor(
      'every dashboard query to return data',
      async () => {
        const missing: string[] = [];
        for (const q of queries) {
          if ((await series(withVariablesFilled(q.expr))).length === 0) missing.push(`${q.where}: ${q.expr}`);
        }
        return missing.length === 0 ? missing : undefined;
      },
      30_000,
      1_000,
    ).catch(async () => {
      const missing: string[] = [];
      for (const q of queries) {
        if ((await series(withVariablesFilled(q.expr))).length === 0) missing.push(`${q.where}: ${q.expr}`);
      }
      return missing;
    });
    expect(empty).toEqual([]);
  });
});
