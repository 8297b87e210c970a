import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../packages/firedrill/src/core/exit.ts';
import {
  parseGoDuration,
  parseInspectOutput,
  plannedGroups,
} from '../../../packages/firedrill/src/load/inspect.ts';
import { type LoadResultContext, loadResults } from '../../../packages/firedrill/src/load/results.ts';
import { CAPTURED, capturedCase, capturedSummary } from './helpers.ts';

const plan = parseInspectOutput(readFileSync(path.join(CAPTURED, 'inspect.json'), 'utf8'));

function ctx(caseName: string, over: Partial<LoadResultContext> = {}): LoadResultContext {
  return {
    scenario: 'thresholds',
    runId: 'load-test',
    start: 1_700_000_000_000,
    durationMs: 1_500,
    plannedGroups: plannedGroups(plan),
    exitCode: capturedCase(caseName).exitCode,
    ...over,
  };
}

describe('k6 inspect', () => {
  it('plans one result per flow tag, then one for run-level thresholds', () => {
    expect(plannedGroups(plan)).toEqual(['fast', 'idle', 'slow', '']);
    expect(plan.scenarios.fast).toEqual({ executor: 'per-vu-iterations', flow: 'fast' });
    // per-vu-iterations defaults: maxDuration 10m plus a 30 s graceful stop.
    expect(plan.totalDurationMs).toBe(10 * 60_000 + 30_000);
  });

  it.each([
    ['32s', 32_000],
    ['1h5m30s', 3_930_000],
    ['2m0.5s', 120_500],
    ['350ms', 350],
    ['0', 0],
    ['5 minutes', undefined],
  ])('parses the Go duration %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

describe('loadResults on captured k6 runs', () => {
  it('passing run: flows pass, but a flow with no samples fails even though k6 passed it', () => {
    const results = loadResults(capturedSummary('pass'), ctx('pass'));
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['thresholds/fast', 'pass'],
      ['thresholds/idle', 'fail'],
      ['thresholds/slow', 'pass'],
      ['thresholds', 'pass'],
    ]);
    const idle = results.find((r) => r.id === 'thresholds/idle')!;
    expect(idle.error).toEqual({
      type: 'no-samples',
      message:
        'http_req_duration{flow:idle}: no samples, so p(95)<500 was never really tested (did the flow send any request?)',
    });
    expect(exitCodeFor(results)).toBe(1);
  });

  it('turns each threshold into a step with the value k6 judged', () => {
    const fast = loadResults(capturedSummary('pass'), ctx('pass')).find((r) => r.id === 'thresholds/fast')!;
    expect(fast.steps.map((s) => [s.name, s.status])).toEqual([
      ['http_req_duration{flow:fast} p(95)<500', 'pass'],
      ['http_req_duration{flow:fast} p(99)<1000', 'pass'],
      ['http_req_failed{flow:fast} rate<0.01', 'pass'],
    ]);
    const p95 = fast.steps[0]!;
    expect(p95.timings?.samples).toBe(20);
    expect(p95.timings?.['p(95)']).toBeGreaterThan(0);
    expect(fast.metrics).toMatchObject({ http_req_failed_rate: 0, http_req_duration_count: 20 });
    expect(fast.metrics?.http_req_duration_p95).toBe(p95.timings?.['p(95)']);
    expect(fast).toMatchObject({ kind: 'scenario', runId: 'load-test', tags: ['load', 'flow:fast'] });
  });

  it('run-level result carries the totals and the untagged thresholds', () => {
    const run = loadResults(capturedSummary('pass'), ctx('pass')).find((r) => r.id === 'thresholds')!;
    expect(run.steps.map((s) => s.name)).toEqual(['checks rate>0.5', 'http_reqs count>5']);
    expect(run.metrics).toMatchObject({ http_reqs_count: 30, iterations_count: 31 });
  });

  it('breaching run (k6 exit 99): the slow flow fails with observed values in the messages', () => {
    const results = loadResults(capturedSummary('breach'), ctx('breach'));
    const slow = results.find((r) => r.id === 'thresholds/slow')!;
    expect(slow.status).toBe('fail');
    expect(slow.error?.type).toBe('threshold');
    const failed = slow.steps.filter((s) => s.status === 'fail').map((s) => s.error?.message);
    expect(failed).toHaveLength(3);
    expect(failed[0]).toBe('checks{flow:slow}: rate=0 crosses the threshold rate>0.99');
    expect(failed[1]).toMatch(
      /^http_req_duration\{flow:slow\}: p\(95\)=6\d\.\d\d crosses the threshold p\(95\)<20$/,
    );
    expect(failed[2]).toBe('http_req_failed{flow:slow}: rate=1 crosses the threshold rate<0.01');
    expect(results.find((r) => r.id === 'thresholds/fast')?.status).toBe('pass');
  });

  it.each([
    ['abort', 'k6 exit 108 (ScriptAborted): the script called test.abort()'],
    ['marked-failed', 'k6 exit 110 (MarkedAsFailed): the script called test.fail()'],
  ])('%s: k6 ended the run itself, so every result is an error', (name, message) => {
    const results = loadResults(capturedSummary(name), {
      ...ctx(name),
      scenario: name,
      plannedGroups: [''],
      lastError: 'from the log',
    });
    expect(results.map((r) => [r.id, r.status, r.error?.message])).toEqual([
      [name, 'error', `${message} — from the log`],
    ]);
  });

  it('init exception: no summary at all, still one error result per planned flow', () => {
    const c = capturedCase('init-exception');
    const results = loadResults(undefined, { ...ctx('init-exception'), lastError: c.stderrLastLine });
    expect(results).toHaveLength(4);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['error']));
    expect(results[0]?.error?.message).toMatch(
      /^k6 exit 107 \(ScriptException\): the script threw \(in its init code, setup\(\) or teardown\(\)\); k6 wrote no summary — /,
    );
  });

  it('k6 killed by a signal: says so', () => {
    const results = loadResults(undefined, {
      ...ctx('pass'),
      exitCode: null,
      signal: 'SIGKILL',
      plannedGroups: ['a'],
    });
    expect(results[0]?.error?.message).toBe(
      'SIGKILL: k6 was killed by SIGKILL before it could report; k6 wrote no summary',
    );
  });

  it('exit 99 with no crossed threshold in the summary is reported, not trusted either way', () => {
    const summary = capturedSummary('pass');
    summary.metrics.delete('http_req_duration{flow:idle}');
    const results = loadResults(summary, { ...ctx('pass'), exitCode: 99, plannedGroups: ['fast'] });
    expect(results.map((r) => [r.id, r.status, r.error?.message])).toEqual([
      ['thresholds/fast', 'fail', 'k6 exited 99 (thresholds crossed) but its summary shows none crossed'],
      ['thresholds/slow', 'fail', 'k6 exited 99 (thresholds crossed) but its summary shows none crossed'],
      ['thresholds', 'fail', 'k6 exited 99 (thresholds crossed) but its summary shows none crossed'],
    ]);
  });

  it('a flow without thresholds is skipped, with the reason', () => {
    const results = loadResults(capturedSummary('pass'), {
      ...ctx('pass'),
      plannedGroups: ['nothing-judges-me'],
    });
    const r = results.find((x) => x.id === 'thresholds/nothing-judges-me')!;
    expect(r.status).toBe('skipped');
    expect(r.steps[0]?.error?.message).toBe('no thresholds judge nothing-judges-me: nothing to pass or fail');
  });
});
