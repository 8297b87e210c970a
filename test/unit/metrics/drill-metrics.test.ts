import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { DrillMetrics } from '../../../packages/firedrill/src/metrics/drill-metrics.ts';
import { parseExposition, sample } from './exposition.ts';

const drill = (status: Result['status'], metrics: Record<string, number>): Result => ({
  id: 'api-error-rate',
  name: 'api-error-rate',
  kind: 'drill',
  status,
  runId: 'r',
  start: 1_700_000_000_000,
  durationMs: 12_500,
  environment: 'local',
  steps: [],
  artifacts: [],
  metrics,
});
const L = { drill: 'api-error-rate', environment: 'local' };

describe('DrillMetrics', () => {
  it('observes hop latencies in seconds per drill, environment and hop, in its own registry', async () => {
    const m = new DrillMetrics();
    m.observe(
      drill('pass', {
        hop_ms_fire: 1500,
        hop_ms_notify: 1520,
        own_ms_notify: 25,
        pipeline_expected_ms_notify: 1400,
      }),
    );
    const s = parseExposition(await m.registry.metrics());
    expect(sample(s, 'firedrill_drill_hop_seconds_sum', { ...L, hop: 'fire' })).toBe(1.5);
    expect(sample(s, 'firedrill_drill_hop_seconds_count', { ...L, hop: 'notify' })).toBe(1);
    expect(s.some((x) => x.labels.hop?.startsWith('own'))).toBe(false);
    expect(sample(s, 'firedrill_drill_runs_total', { ...L, result: 'pass' })).toBe(1);
    expect(sample(s, 'firedrill_drill_last_hop_seconds', { ...L, hop: 'notify' })).toBe(1.52);
    expect(sample(s, 'firedrill_drill_last_hop_expected_seconds', { ...L, hop: 'notify' })).toBe(1.4);
    expect(sample(s, 'firedrill_drill_last_duration_seconds', L)).toBe(12.5);
    expect(sample(s, 'firedrill_drill_last_run_timestamp_seconds', L)).toBe(1_700_000_012.5);
    // Two instances never collide: no global registry.
    expect(() => new DrillMetrics()).not.toThrow();
  });

  it('says the last result as a gauge, one series per result, and counts from 0 once described', async () => {
    const m = new DrillMetrics();
    m.describe('api-error-rate', 'local');
    let s = parseExposition(await m.registry.metrics());
    expect(sample(s, 'firedrill_drill_runs_total', { ...L, result: 'fail' })).toBe(0);
    m.observe(drill('pass', {}));
    m.observe(drill('fail', {}));
    s = parseExposition(await m.registry.metrics());
    expect(sample(s, 'firedrill_drill_last_result', { ...L, result: 'fail' })).toBe(1);
    expect(sample(s, 'firedrill_drill_last_result', { ...L, result: 'pass' })).toBe(0);
    expect(sample(s, 'firedrill_drill_runs_total', { ...L, result: 'fail' })).toBe(1);
    expect(sample(s, 'firedrill_drill_runs_total', { ...L, result: 'pass' })).toBe(1);
  });

  it('pushes only the last-run gauges: no counter that restarts at 1, no one-run histogram', async () => {
    const m = new DrillMetrics();
    m.observe(drill('fail', { hop_ms_fire: 900 }));
    const names = new Set(parseExposition(await m.lastValues.metrics()).map((x) => x.name));
    expect([...names].sort()).toEqual([
      'firedrill_drill_last_duration_seconds',
      'firedrill_drill_last_hop_seconds',
      'firedrill_drill_last_result',
      'firedrill_drill_last_run_timestamp_seconds',
    ]);
  });
});
