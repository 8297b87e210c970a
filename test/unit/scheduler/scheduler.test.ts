import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { ProbeMetrics } from '../../../packages/firedrill/src/metrics/probe-metrics.ts';
import type { ProbeDefinition } from '../../../packages/firedrill/src/probes/define.ts';
import { createProbeRunner } from '../../../packages/firedrill/src/probes/runner.ts';
import { Scheduler } from '../../../packages/firedrill/src/scheduler/scheduler.ts';
import { parseExposition, sample } from '../metrics/exposition.ts';
import { silentLogger, sleep, testEnv } from '../probes/helpers.ts';

function setup(probes: ProbeDefinition[], onResult?: (r: Result) => void) {
  const metrics = new ProbeMetrics();
  const runner = createProbeRunner({
    env: testEnv('http://127.0.0.1:9'),
    logger: silentLogger,
    artifactsDir: '/tmp/fd',
  });
  const results: Result[] = [];
  const lateness: number[] = [];
  const scheduler = new Scheduler({
    probes,
    runner,
    metrics,
    location: 'lab',
    logger: silentLogger,
    onResult: (r) => {
      results.push(r);
      onResult?.(r);
    },
    onStart: (_id, ms) => lateness.push(ms),
  });
  return { scheduler, metrics, results, lateness };
}

const every = '* * * * * *';

describe('scheduler ticks', () => {
  it('skips and counts a tick while the previous run of that probe is still going', async () => {
    let release = () => {};
    const slow: ProbeDefinition = {
      id: 'slow',
      kind: 'http',
      schedule: every,
      run: () => new Promise<void>((r) => (release = r)),
    };
    const quick: ProbeDefinition = { id: 'quick', kind: 'http', schedule: every, run: async () => {} };
    const { scheduler, metrics, results } = setup([slow, quick]);
    expect(scheduler.tick('slow')).toBe('started');
    expect(scheduler.tick('slow')).toBe('skipped');
    expect(scheduler.tick('quick')).toBe('started');
    expect(scheduler.tick('slow')).toBe('skipped');
    expect(scheduler.inFlight).toBe(2);
    await sleep(20);
    expect(scheduler.inFlight).toBe(1);
    release();
    await sleep(20);
    expect(scheduler.tick('slow')).toBe('started');
    await sleep(20);
    release();
    await scheduler.stop();
    expect(scheduler.stats).toEqual({ started: 3, skipped: 2, finished: 3 });
    expect(results.map((r) => r.id).sort()).toEqual(['quick', 'slow', 'slow']);
    const samples = parseExposition(await metrics.expose());
    expect(
      sample(samples, 'firedrill_skipped_runs_total', { probe: 'slow', kind: 'http', location: 'lab' }),
    ).toBe(2);
    expect(
      sample(samples, 'firedrill_runs_total', { probe: 'quick', result: 'pass', location: 'test-lab' }),
    ).toBe(1);
    // Described probes start every result at 0: the first failure is an increase Prometheus sees.
    expect(sample(samples, 'firedrill_runs_total', { probe: 'quick', result: 'fail', location: 'lab' })).toBe(
      0,
    );
    expect(sample(samples, 'firedrill_probe_info', { probe: 'slow', schedule: every })).toBe(1);
  });

  it('measures lateness from the cron time', async () => {
    const { scheduler, lateness } = setup([{ id: 'p', kind: 'http', schedule: every, run: async () => {} }]);
    scheduler.tick('p', Date.now() - 40);
    await scheduler.stop();
    expect(lateness).toHaveLength(1);
    expect(lateness[0]).toBeGreaterThanOrEqual(40);
    expect(lateness[0]).toBeLessThan(200);
  });

  it('waits on stop for runs in flight, which end by their timeout at the latest', async () => {
    const { scheduler, results } = setup([
      { id: 'hang', kind: 'http', schedule: every, timeoutMs: 150, run: () => new Promise(() => {}) },
    ]);
    scheduler.tick('hang');
    const t0 = performance.now();
    await scheduler.stop();
    expect(performance.now() - t0).toBeGreaterThan(100);
    expect(results[0]).toMatchObject({ status: 'error', error: { type: 'timeout' } });
    expect(scheduler.tick('hang')).toBe('stopped');
  });

  it('aborts runs in flight on a forced stop, recording them as aborted', async () => {
    const { scheduler, results } = setup([
      { id: 'hang', kind: 'http', schedule: every, timeoutMs: 60_000, run: () => new Promise(() => {}) },
    ]);
    scheduler.tick('hang');
    const t0 = performance.now();
    await scheduler.stop({ force: true });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(results[0]?.error?.type).toBe('aborted');
  });

  it('survives a result handler that throws', async () => {
    const { scheduler } = setup([{ id: 'p', kind: 'http', schedule: every, run: async () => {} }], () => {
      throw new Error('disk full');
    });
    scheduler.tick('p');
    await scheduler.stop();
    expect(scheduler.stats.finished).toBe(1);
    expect(scheduler.tick('p')).toBe('stopped');
  });

  it('runs probes on their cron schedule', async () => {
    const { scheduler, results, lateness } = setup([
      { id: 'p', kind: 'http', schedule: every, run: async () => {} },
    ]);
    scheduler.start();
    await sleep(2300);
    await scheduler.stop();
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lateness)).toBeLessThan(250);
  });
});
