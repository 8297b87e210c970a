import { describe, expect, it } from 'vitest';
import { hopMetrics } from '../../../packages/firedrill/src/drills/hops.ts';
import {
  exprWindowMs,
  lastOnGrid,
  nextOnGrid,
  type PipelineClock,
} from '../../../packages/firedrill/src/drills/pipeline-clock.ts';
import type { PreflightInfo } from '../../../packages/firedrill/src/drills/preflight.ts';

// One second scrapes at …000.100, evaluations at …000.400: the fast profile's grids as the
// stack's Prometheus lays them out, with a 5 ms scrape.
const T = 1_800_000_000_000;
const clock: PipelineClock = {
  scrape: { atMs: T + 100, intervalMs: 1000, durationMs: 5 },
  evaluation: { atMs: T + 400, intervalMs: 1000 },
};

function info(rule: { forMs?: number; windowMs?: number } = {}): PreflightInfo {
  return {
    rules: new Map([
      [
        'HighApiErrorRate',
        {
          forMs: rule.forMs ?? 0,
          group: 'demo-app-api',
          groupIntervalMs: 1000,
          job: 'demo-app',
          ...(rule.windowMs ? { windowMs: rule.windowMs } : {}),
        },
      ],
    ]),
    promTiming: {
      scrapeIntervalMs: 1000,
      evaluationIntervalMs: 1000,
      jobScrapeIntervalMs: { 'demo-app': 1000 },
    },
    amTiming: { receiver: 'slack', groupWaitMs: 0, groupIntervalMs: 1000, repeatIntervalMs: 0, groupBy: [] },
  };
}

describe('grids', () => {
  it.each([
    [100, 1000, 100, 100, 100],
    [100, 1000, 101, 1100, 100],
    [100, 1000, 99, 100, -900],
    [100, 1000, 5_150, 5_100 + 1000, 5_100],
  ])('phase %i interval %i around %i: next %i, last %i', (phase, interval, at, next, last) => {
    expect(nextOnGrid(phase, interval, at)).toBe(next);
    expect(lastOnGrid(phase, interval, at)).toBe(last);
  });

  it.each([
    ['up{job="demo-app"} == 0', undefined],
    ['rate(process_cpu_seconds_total{job="demo-app"}[5s]) > 0.9', 5000],
    ['(x unless x offset 10s) or increase(x[10s])', 10_000],
    ['max_over_time(x[1m:5s]) > 1', 60_000],
    ['sum(rate(a[30s])) / sum(rate(b[2m]))', 120_000],
  ])('the window of %s is %s ms', (expr, ms) => {
    expect(exprWindowMs(expr)).toBe(ms);
  });
});

describe('hop model', () => {
  it('expects the next scrape after the fault, the next evaluation after that, then for and group_wait', () => {
    const injected = T + 5_150; // 950 ms before the scrape at +6.100, evaluated at +6.400
    const m = hopMetrics(
      { injected, firing: T + 6_400, slackPosted: T + 6_430 },
      info(),
      'HighApiErrorRate',
      false,
      clock,
    );
    expect(m).toMatchObject({
      hop_ms_fire: 1_250,
      pipeline_expected_ms_fire: 1_250,
      pipeline_max_ms_fire: 2_000,
      beyond_pipeline_ms_fire: 0,
      hop_ms_notify: 1_280,
      pipeline_expected_ms_notify: 1_250,
      pipeline_max_ms_notify: 3_000,
      beyond_pipeline_ms_notify: 30,
    });
  });

  it('places the evaluation grid by the alert’s activeAt, not by a lastEvaluation that started late', () => {
    const late: PipelineClock = { ...clock, evaluation: { atMs: T + 443, intervalMs: 1000 } };
    const marks = { injected: T + 5_150, ruleActive: T + 6_400, firing: T + 6_400 };
    const m = hopMetrics(marks, info(), 'HighApiErrorRate', false, late);
    expect(m).toMatchObject({ pipeline_expected_ms_fire: 1_250, beyond_pipeline_ms_fire: 0 });
  });

  it('a fault that acts on requests counts from when its first affected request was answered', () => {
    // A slow-db fault's first request waits 500 ms before the app can observe its query.
    const marks = { injected: T + 5_700, firstBadSample: T + 5_710, firstBadAnswered: T + 6_220 };
    const m = hopMetrics(marks, info(), 'HighApiErrorRate', false, clock);
    // 5.700 + 510 ms → the scrape at 7.100 → the evaluation at 7.400, not the 6.100 one at 6.400.
    expect(m.pipeline_expected_ms_fire).toBe(1_700);
    // The worst case counts from the same moment, so it never falls below the expectation.
    expect(m.pipeline_max_ms_fire).toBe(2_510);
  });

  it('an evaluation that starts while the sample is still being stored reads it one interval later', () => {
    const c: PipelineClock = { ...clock, evaluation: { atMs: T + 102, intervalMs: 1000 } };
    const m = hopMetrics({ injected: T + 5_150 }, info(), 'HighApiErrorRate', false, c);
    expect(m.pipeline_expected_ms_fire).toBe(T + 7_102 - (T + 5_150));
  });

  it('adds for: 5s as whole evaluations, and for: 1.5s rounded up to two', () => {
    expect(
      hopMetrics({ injected: T + 5_150 }, info({ forMs: 5000 }), 'HighApiErrorRate', false, clock),
    ).toMatchObject({ pipeline_expected_ms_fire: 6_250, pipeline_max_ms_fire: 7_000 });
    expect(
      hopMetrics({ injected: T + 5_150 }, info({ forMs: 1500 }), 'HighApiErrorRate', false, clock),
    ).toMatchObject({ pipeline_expected_ms_fire: 3_250, pipeline_max_ms_fire: 4_000 });
  });

  it('resolves a rule on instant values at the evaluation after the next scrape', () => {
    // Rollback starts at +20.050 and is done at +20.080: scrape +20.100, evaluation +20.400.
    const m = hopMetrics(
      { injected: T + 5_150, rollbackStarted: T + 20_050, rolledBack: T + 20_080, resolved: T + 20_500 },
      info(),
      'HighApiErrorRate',
      false,
      clock,
    );
    expect(m).toMatchObject({
      pipeline_expected_ms_resolve: 320,
      pipeline_max_ms_resolve: 2_000,
      hop_ms_resolve: 420,
      beyond_pipeline_ms_resolve: 100,
    });
  });

  it('resolves a rule over a window once the last scrape before the rollback has left it', () => {
    // Last scrape before +20.050 is +19.100; out of a 10 s window after +29.100: evaluation +29.400.
    const m = hopMetrics(
      {
        injected: T + 5_150,
        slackPosted: T + 6_430,
        rollbackStarted: T + 20_050,
        rolledBack: T + 20_080,
      },
      info({ windowMs: 10_000 }),
      'HighApiErrorRate',
      false,
      clock,
    );
    expect(m).toMatchObject({
      pipeline_expected_ms_resolve: 9_320,
      pipeline_max_ms_resolve: 12_000,
      // Alertmanager's group ticks every second from the firing message at +6.430: +29.430.
      pipeline_expected_ms_resolve_notify: 9_350,
      pipeline_max_ms_resolve_notify: 13_000,
    });
  });

  it('counts the window from the last request the fault affected, when the drill’s traffic saw it', () => {
    // The last 500 came back at +19.080, before the scrape at +19.100: that scrape holds the last
    // increase, and the window empties after +28.100 whatever the rollback's own timing.
    const m = hopMetrics(
      {
        injected: T + 5_150,
        lastBadAnswered: T + 19_080,
        rollbackStarted: T + 20_050,
        rolledBack: T + 20_080,
      },
      info({ windowMs: 10_000 }),
      'HighApiErrorRate',
      false,
      clock,
    );
    expect(m.pipeline_expected_ms_resolve).toBe(8_320);
  });

  it('takes Prometheus’ own resolving moment when it was read back: a rate can drop below its threshold early', () => {
    const m = hopMetrics(
      { injected: T + 5_150, rollbackStarted: T + 20_050, rolledBack: T + 20_080, resolved: T + 23_520 },
      info({ windowMs: 5_000 }),
      'HighApiErrorRate',
      false,
      { ...clock, ruleFalseAt: T + 23_400 },
    );
    expect(m).toMatchObject({
      pipeline_expected_ms_resolve: 3_320,
      hop_ms_resolve: 3_440,
      beyond_pipeline_ms_resolve: 120,
      pipeline_max_ms_resolve: 7_000,
    });
  });

  it('without a sampled clock there is a worst case but no expectation', () => {
    const m = hopMetrics({ injected: T, firing: T + 900 }, info(), 'HighApiErrorRate', false, undefined);
    expect(m.pipeline_max_ms_fire).toBe(2_000);
    expect(m.pipeline_expected_ms_fire).toBeUndefined();
    expect(m.beyond_pipeline_ms_fire).toBeUndefined();
  });

  it('a routing-only drill waits for Alertmanager alone: group_wait, then a group tick', () => {
    const m = hopMetrics(
      { injected: T, slackPosted: T + 12, rolledBack: T + 5_300, slackResolvedPosted: T + 6_015 },
      info(),
      undefined,
      true,
    );
    expect(m).toMatchObject({
      pipeline_max_ms_notify: 0,
      pipeline_expected_ms_notify: 0,
      beyond_pipeline_ms_notify: 12,
      // One group per injected alert, each on its own tick: only the worst case is known.
      pipeline_max_ms_resolve_notify: 1_000,
      pipeline_expected_ms_resolve_notify: 0,
      beyond_pipeline_ms_resolve_notify: 715,
    });
    expect(m.pipeline_max_ms_fire).toBeUndefined();
  });
});
