import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../packages/firedrill/src/core/result.ts';
import {
  describeCondition,
  laneOfCondition,
  laneOfEvent,
} from '../../../packages/firedrill/src/reporting/drill.ts';
import {
  byInterest,
  countResults,
  firstLine,
  formatDuration,
  verdictLine,
} from '../../../packages/firedrill/src/reporting/summary.ts';
import { apiErrorRateDrillPassing } from '../../fixtures/results/drills.ts';
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
});
