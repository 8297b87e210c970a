import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../packages/firedrill/src/core/result.ts';
import {
  arrivedElsewhere,
  describeActual,
  describeCondition,
  hopMeasures,
  injectedAt,
  laneOfCondition,
  laneOfEvent,
  overBudgetText,
} from '../../../packages/firedrill/src/reporting/drill.ts';
import {
  byInterest,
  countResults,
  firstLine,
  formatDuration,
  verdictLine,
} from '../../../packages/firedrill/src/reporting/summary.ts';
import { apiErrorRateDrillPassing, apiErrorRateMisroutedFailing } from '../../fixtures/results/drills.ts';
import { fixtureResults } from '../../fixtures/results/index.ts';

describe('formatting', () => {
  it.each([
    [0, '0ms'],
    [412.4, '412ms'],
    [999, '999ms'],
    [1420, '1.42s'],
    [10_000, '10s'],
    [29_040, '29s'],
    [14_950, '15s'],
    [59_940, '59.9s'],
    [123_000, '2m 03s'],
    [3_840_000, '1h 04m'],
    [-1500, '-1.50s'],
    [Number.NaN, '–'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('takes the first meaningful line of a message, without ANSI codes, clipped', () => {
    expect(firstLine('\n\u001b[31m  Timeout\u001b[39m exceeded\nCall log:')).toBe('Timeout exceeded');
    expect(firstLine('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(firstLine(undefined)).toBe('');
  });
});

describe('counts and verdict', () => {
  it('counts the fixture run', () => {
    expect(countResults(fixtureResults())).toEqual({
      total: 8,
      passed: 4,
      failed: 2,
      errored: 1,
      skipped: 1,
      flaky: 1,
    });
  });

  it.each([
    [{ total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0 }, 'no results'],
    [{ total: 3, passed: 3, failed: 0, errored: 0, skipped: 0, flaky: 0 }, 'all 3 passed'],
    [
      { total: 4, passed: 3, failed: 0, errored: 0, skipped: 1, flaky: 1 },
      '3 of 4 passed (1 flaky, 1 skipped)',
    ],
    [{ total: 2, passed: 0, failed: 0, errored: 0, skipped: 2, flaky: 0 }, 'all 2 skipped'],
    [{ total: 5, passed: 3, failed: 1, errored: 1, skipped: 0, flaky: 0 }, '1 failed, 1 errored of 5'],
    [{ total: 5, passed: 4, failed: 0, errored: 1, skipped: 0, flaky: 0 }, '1 errored of 5'],
  ])('%j reads "%s"', (counts, line) => {
    expect(verdictLine(counts)).toBe(line);
  });

  it('orders failures first, then errors, flaky, passes, skips', () => {
    expect(byInterest(fixtureResults()).map((r) => r.id)).toEqual([
      'admin-login',
      'slow-responses',
      'search',
      'image-processing',
      'login',
      'api',
      'api-error-rate',
      'checkout-load',
    ]);
  });
});

describe('drill hops', () => {
  it('puts an event and a condition in the lane their code recorded, whatever their wording', () => {
    const event: TimelineEvent = { at: 0, phase: 'observe', lane: 'fire', event: 'Slack message in #x' };
    expect(laneOfEvent(event)).toBe('fire');
    const c = apiErrorRateDrillPassing().conditions!;
    expect(c.map(laneOfCondition)).toEqual(['fire', 'notify', 'log', 'resolve', 'resolve']);
  });

  it('describes a condition as a reader would say it', () => {
    expect(describeCondition({ type: 'alertFires', alert: 'HighApiErrorRate', within: 30_000 })).toBe(
      'alertFires HighApiErrorRate · within 30s',
    );
    expect(describeCondition({ type: 'promql', query: 'up == 0', timeoutMs: 5000, threshold: 2 })).toBe(
      'promql up == 0 · timeout 5.00s · threshold 2',
    );
  });

  it.each([
    [
      { type: 'alertFires', alert: 'A', labels: { severity: 'critical' }, within: 60_000 },
      'alertFires A · labels {severity="critical"} · within 1m 00s',
    ],
    [
      {
        type: 'logsArrive',
        match: { status_code: 500 },
        require: [{ when: { route: '/x' }, fields: ['user_id'] }],
        within: 1_000,
      },
      'logsArrive match {status_code=500} · require user_id where route=/x · within 1.00s',
    ],
  ])('never shows a condition’s objects as JSON: %j', (c, text) => {
    expect(describeCondition(c)).toBe(text);
  });

  it.each([
    [
      { channel: '#a', channelId: 'C1', postedAt: 10_000_000_000_500, rateLimitedMs: 0, rateLimited: false },
      'channel #a · posted +0.50s',
    ],
    [{ source: 'prometheus', activeAt: 9_999_999_999_000 }, 'source prometheus · active −1.00s'],
    [
      { entries: 3, ingestDelayMs: { min: 1_200, max: 3_400 } },
      'entries 3 · ingest delay (min 1.20s, max 3.40s)',
    ],
    [
      { problems: [{ problem: 'missing user_id', entries: 2 }] },
      'problems (problem missing user_id, entries 2)',
    ],
    [1.62, '1.62'],
    ['no matching message', 'no matching message'],
  ])('says what a condition saw in words, moments after the injection: %j', (actual, text) => {
    expect(describeActual(actual, 10_000_000_000_000)).toBe(text);
  });

  it('reads the injection from the conditions’ deadlines, and where a misrouted message went', () => {
    const d = apiErrorRateMisroutedFailing();
    expect(injectedAt(d)).toBe(d.start + 900);
    expect(d.conditions!.map(arrivedElsewhere)).toEqual([
      undefined,
      { channel: '#alerts-warning', at: d.start + 15_600 },
      undefined,
    ]);
  });

  it('says which hops took longer than the live config allows', () => {
    expect(hopMeasures(apiErrorRateDrillPassing()).flatMap((h) => overBudgetText(h) ?? [])).toEqual([
      '14s, over its 12s budget',
      '14.7s, over its 12s budget',
    ]);
  });
});
