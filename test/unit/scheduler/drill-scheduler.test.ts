import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { planOf } from '../../../packages/firedrill/src/drills/loader.ts';
import type { DrillPlan } from '../../../packages/firedrill/src/drills/plan.ts';
import { DrillMetrics } from '../../../packages/firedrill/src/metrics/drill-metrics.ts';
import { DrillScheduler } from '../../../packages/firedrill/src/scheduler/drill-scheduler.ts';
import { parseExposition, sample } from '../metrics/exposition.ts';
import { silentLogger } from '../probes/helpers.ts';

const drill = (id: string, schedule: string | undefined = '0 3 * * *'): DrillPlan =>
  planOf({
    id,
    ...(schedule ? { schedule } : {}),
    fault: { type: 'shell', inject: 'true', rollback: 'true' },
    expect: [{ type: 'promql', expr: 'up', op: '>', value: 0, within: '1s' }],
  });

function result(id: string, status: Result['status'], notifyMs?: number): Result {
  return {
    id,
    name: id,
    kind: 'drill',
    status,
    runId: `r-${id}`,
    start: 1_000,
    durationMs: 5_000,
    environment: 'staging',
    steps: [],
    artifacts: [],
    ...(notifyMs === undefined ? {} : { metrics: { hop_ms_notify: notifyMs } }),
  };
}

describe('scheduled drills', () => {
  it('runs one drill at a time: a tick while any drill runs is skipped and counted', async () => {
    const metrics = new DrillMetrics();
    const releases: Array<() => void> = [];
    const started: string[] = [];
    const s = new DrillScheduler({
      drills: [drill('a'), drill('b')],
      environment: 'staging',
      metrics,
      logger: silentLogger,
      run: (d) => {
        started.push(d.id);
        return new Promise((resolve) => releases.push(() => resolve(result(d.id, 'pass', 1_500))));
      },
    });
    expect(s.tick('a')).toBe('started');
    expect(s.tick('b')).toBe('skipped');
    expect(s.tick('a')).toBe('skipped');
    releases[0]!();
    await new Promise((r) => setTimeout(r, 0));
    expect(s.tick('b')).toBe('started');
    releases[1]!();
    await s.stop();
    expect(started).toEqual(['a', 'b']);
    const samples = parseExposition(await metrics.registry.metrics());
    const L = { environment: 'staging' };
    expect(sample(samples, 'firedrill_drill_skipped_runs_total', { ...L, drill: 'b' })).toBe(1);
    expect(sample(samples, 'firedrill_drill_skipped_runs_total', { ...L, drill: 'a' })).toBe(1);
    expect(sample(samples, 'firedrill_drill_runs_total', { ...L, drill: 'a', result: 'pass' })).toBe(1);
    expect(sample(samples, 'firedrill_drill_runs_total', { ...L, drill: 'a', result: 'fail' })).toBe(0);
    expect(sample(samples, 'firedrill_drill_hop_seconds_count', { ...L, drill: 'b', hop: 'notify' })).toBe(1);
    expect(s.stats).toEqual({ started: 2, skipped: 2, finished: 2 });
  });

  it('stop aborts the drill in flight and waits for its rollback to finish', async () => {
    let rolledBack = false;
    const s = new DrillScheduler({
      drills: [drill('a')],
      environment: 'staging',
      metrics: new DrillMetrics(),
      logger: silentLogger,
      run: (d, signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              rolledBack = true;
              resolve(result(d.id, 'error'));
            }, 20),
          ),
        ),
    });
    expect(s.tick('a')).toBe('started');
    await s.stop();
    expect(rolledBack).toBe(true);
    expect(s.tick('a')).toBe('stopped');
  });

  it('refuses a drill without a schedule', () => {
    const unscheduled = drill('a', '');
    expect(
      () =>
        new DrillScheduler({
          drills: [unscheduled],
          environment: 'x',
          metrics: new DrillMetrics(),
          logger: silentLogger,
          run: async () => result('a', 'pass'),
        }),
    ).toThrow('drill "a" has no schedule');
  });
});
