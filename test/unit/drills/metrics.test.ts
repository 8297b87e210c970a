import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { DrillMetrics } from '../../../packages/firedrill/src/drills/metrics.ts';

describe('DrillMetrics', () => {
  it('observes hop latencies in seconds per drill and hop, in its own registry', async () => {
    const m = new DrillMetrics();
    const result = {
      id: 'api-error-rate',
      status: 'pass',
      metrics: { hop_ms_fire: 1500, hop_ms_notify: 1520, own_ms_notify: 25, pipeline_max_ms_notify: 2000 },
    } as unknown as Result;
    m.observe(result);
    const text = await m.registry.metrics();
    expect(text).toContain('firedrill_drill_hop_seconds_sum{drill="api-error-rate",hop="fire"} 1.5');
    expect(text).toContain('firedrill_drill_hop_seconds_count{drill="api-error-rate",hop="notify"} 1');
    expect(text).not.toContain('hop="own');
    expect(text).toContain('firedrill_drill_runs_total{drill="api-error-rate",result="pass"} 1');
    // Two instances never collide: no global registry.
    expect(() => new DrillMetrics()).not.toThrow();
  });
});
