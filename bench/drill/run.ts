/**
 * Drill benchmark. Two parts:
 *
 * 1. `pipeline` (default): N runs of the error-rate drill over the real alert path (Debian's
 *    Prometheus 2.42 and Alertmanager 0.25 at 1 s scrape/evaluation, `for: 0s`, `group_wait: 0s`,
 *    the shipped rules and routing, the reference app and the Slack sink), push path on. Reports
 *    fault → Slack POST, the Alertmanager hop, firedrill's own share after Alertmanager's send
 *    (webhook received → Slack message seen), the rule group's evaluation offset, and the whole
 *    drill's duration.
 * 2. `--stack <stateDir>`: every shipped drill once, in sequence, against a running local stack
 *    (`firedrill stack up`), for the "all shipped drills" figure.
 *
 * Usage: npx tsx bench/drill/run.ts [--runs 10] [--stack .firedrill/test-stack]
 * Results: bench/results/drill.json (merged, so the two parts can run separately).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../packages/firedrill/src/config/load.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import { alertFires, appFault, slackMessage } from '../../packages/firedrill/src/drills/define.ts';
import { resolveDrillEnvironment } from '../../packages/firedrill/src/drills/environment.ts';
import { loadDrills, planOf } from '../../packages/firedrill/src/drills/loader.ts';
import { runDrills } from '../../packages/firedrill/src/drills/suite.ts';
import { stackUp } from '../../packages/firedrill/src/stack/index.ts';
import { startPipeline } from '../../test/unit/drills/pipeline-harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'bench/results/drill.json');
const logger = pino({ enabled: false });

function stats(values: number[]) {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))]!;
  return { n: v.length, min: v[0]!, median: q(0.5), p90: q(0.9), max: v.at(-1)! };
}

function pick(results: Result[], key: string): number[] {
  return results.flatMap((r) => (r.metrics?.[key] !== undefined ? [r.metrics[key]] : []));
}

async function pipelineBench(runs: number) {
  const p = await startPipeline();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'firedrill-bench-'));
  const drill = planOf({
    id: 'bench-error-rate',
    fault: appFault({ kind: 'error-rate', rate: 1, status: 500, ttl: '60s' }),
    traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 10 },
    expect: [
      alertFires('HighApiErrorRate', { within: '30s' }),
      slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' }),
    ],
    resolve: { within: '45s' },
  });
  const results: Result[] = [];
  try {
    // One run of N drills, as `firedrill drill` does it: one push receiver for all of them.
    await runDrills({
      drills: Array.from({ length: runs }, () => drill),
      env: p.env,
      stateDir,
      root: ROOT,
      logger,
      onResult: (r) => {
        results.push(r);
        const m = r.metrics ?? {};
        process.stderr.write(
          `run ${results.length}/${runs}: ${r.status} ${(r.durationMs / 1000).toFixed(1)}s notify=${m.hop_ms_notify} am=${m.hop_ms_alertmanager} own=${m.own_ms_notify} offset=${m.rule_eval_offset_ms}\n`,
        );
      },
    });
  } finally {
    await p.stop();
  }
  const passed = results.filter((r) => r.status === 'pass');
  // The drill's own duration without the resolve phase, which waits out the rule's 10 s window.
  const toRollback = passed.map(
    (r) => (r.steps.find((s) => s.name === 'rollback')?.start ?? r.start) - r.start,
  );
  return {
    setup:
      'Prometheus 2.42 + Alertmanager 0.25 (Debian), 1 s scrape/evaluation, for: 0s, group_wait: 0s, push webhook',
    runs,
    passed: passed.length,
    fault_to_slack_post_ms: stats(pick(passed, 'hop_ms_notify')),
    fault_to_firing_ms: stats(pick(passed, 'hop_ms_fire')),
    fault_to_alertmanager_send_ms: stats(pick(passed, 'hop_ms_alertmanager')),
    alertmanager_hop_ms: stats(
      passed.flatMap((r) => {
        const m = r.metrics ?? {};
        return m.hop_ms_alertmanager !== undefined && m.hop_ms_fire !== undefined
          ? [m.hop_ms_alertmanager - m.hop_ms_fire]
          : [];
      }),
    ),
    firedrill_own_share_ms: stats(pick(passed, 'own_ms_notify')),
    pipeline_max_notify_ms: pick(passed, 'pipeline_max_ms_notify')[0],
    pipeline_expected_notify_ms: stats(pick(passed, 'pipeline_expected_ms_notify')),
    beyond_pipeline_notify_ms: stats(pick(passed, 'beyond_pipeline_ms_notify')),
    rule_eval_offset_ms: stats(pick(passed, 'rule_eval_offset_ms')),
    resolve_ms: stats(pick(passed, 'hop_ms_resolve')),
    drill_duration_ms: stats(passed.map((r) => r.durationMs)),
    drill_duration_to_rollback_ms: stats(toRollback),
  };
}

async function stackBench(stateDir: string) {
  const { config } = await loadConfig(path.join(ROOT, 'config/firedrill.config.ts'), ROOT);
  const env = await resolveDrillEnvironment(config, 'local', path.resolve(stateDir));
  const drills = (await loadDrills(ROOT)).map((d) => d.plan);
  const started = Date.now();
  const results = await runDrills({
    drills,
    env,
    stateDir: path.resolve(stateDir),
    root: ROOT,
    logger,
    restartStack: async (components) => {
      await stackUp({
        config: { ...config, stateDir: path.resolve(stateDir) },
        root: ROOT,
        logger,
        components: components as never,
      });
    },
  });
  return {
    drills: results.map((r) => ({
      id: r.id,
      status: r.status,
      duration_ms: r.durationMs,
      metrics: r.metrics,
    })),
    passed: results.filter((r) => r.status === 'pass').length,
    total_ms: Date.now() - started,
  };
}

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, stack: { type: 'string' } },
});
const previous = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>) : {};
const out: Record<string, unknown> = { ...previous, measuredAt: new Date().toISOString() };
if (values.stack) out.all_shipped_drills = await stackBench(values.stack);
else out.pipeline = await pipelineBench(Number(values.runs));
mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
