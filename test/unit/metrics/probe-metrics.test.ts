import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { ProbeMetrics } from '../../../packages/firedrill/src/metrics/probe-metrics.ts';
import { parseExposition, sample } from './exposition.ts';

const base = {
  kind: 'probe' as const,
  location: 'lab',
  environment: 'test',
  artifacts: [],
  start: 1_700_000_000_000,
};

function result(over: Partial<Result> & Pick<Result, 'id' | 'status'>): Result {
  return { name: over.id, runId: 'r1', durationMs: 1234, steps: [], ...base, ...over };
}

const api = result({
  id: 'api',
  status: 'pass',
  steps: [
    {
      name: 'log in',
      status: 'pass',
      start: 0,
      durationMs: 40,
      timings: {
        resolve: 1,
        connect: 2,
        tls: 10,
        processing: 20,
        transfer: 3,
        http_requests: 1,
        http_status_code: 200,
      },
      requestIds: ['r1-1'],
    },
    { name: 'think', status: 'pass', start: 0, durationMs: 5 },
    {
      name: 'create item',
      status: 'pass',
      start: 0,
      durationMs: 30,
      timings: {
        resolve: 0,
        connect: 1,
        tls: 0,
        processing: 25,
        transfer: 1,
        http_requests: 2,
        http_status_code: 201,
      },
    },
  ],
  metrics: {
    http_status_code: 201,
    http_redirects: 0,
    ssl_earliest_cert_expiry: 1_800_000_000,
    items_seen: 7,
  },
});

const login = result({
  id: 'login',
  status: 'pass',
  flaky: true,
  attempt: 2,
  steps: [{ name: 'submit login', status: 'pass', start: 0, durationMs: 800 }],
  metrics: {
    web_vital_lcp: 420,
    web_vital_fcp: 300,
    web_vital_cls: 0.05,
    web_vital_ttfb: 12,
    frontend_errors: 2,
  },
});

async function exposition(results: Result[]) {
  const m = new ProbeMetrics();
  m.describe({ id: 'api', kind: 'http', schedule: '*/2 * * * *', location: 'lab' });
  m.describe({ id: 'login', kind: 'browser', schedule: '*/5 * * * *', location: 'lab' });
  for (const r of results) m.observe(r);
  m.skipped({ id: 'login', kind: 'browser' }, 'lab');
  m.lateness('lab', 0.003);
  const text = await m.expose();
  return { text, samples: parseExposition(text) };
}

describe('probe metrics from Results', () => {
  it('exposes blackbox and Synthetic Monitoring names with probe, kind and location labels', async () => {
    const { samples } = await exposition([api, login]);
    const apiL = { probe: 'api', kind: 'http', location: 'lab' };
    const loginL = { probe: 'login', kind: 'browser', location: 'lab' };
    expect(sample(samples, 'probe_success', apiL)).toBe(1);
    expect(sample(samples, 'probe_duration_seconds', apiL)).toBe(1.234);
    expect(sample(samples, 'probe_http_duration_seconds', { ...apiL, step: 'log in', phase: 'tls' })).toBe(
      0.01,
    );
    expect(
      sample(samples, 'probe_http_duration_seconds', { ...apiL, step: 'create item', phase: 'processing' }),
    ).toBe(0.025);
    expect(sample(samples, 'probe_http_status_code', { ...apiL, step: 'log in' })).toBe(200);
    expect(sample(samples, 'probe_http_status_code', { ...apiL, step: 'create item' })).toBe(201);
    // A step without HTTP gets no HTTP series.
    expect(samples.filter((s) => s.labels.step === 'think' && s.name.startsWith('probe_http'))).toEqual([]);
    expect(sample(samples, 'probe_ssl_earliest_cert_expiry', apiL)).toBe(1_800_000_000);
    expect(sample(samples, 'firedrill_probe_recorded_value', { ...apiL, name: 'items_seen' })).toBe(7);
    // Seconds, as Prometheus names units; CLS has none.
    expect(sample(samples, 'probe_browser_web_vital_lcp_seconds', loginL)).toBe(0.42);
    expect(sample(samples, 'probe_browser_web_vital_cls', loginL)).toBe(0.05);
    expect(samples.some((s) => s.name === 'probe_browser_web_vital_inp_seconds')).toBe(false);
    expect(sample(samples, 'firedrill_step_last_duration_seconds', { ...loginL, step: 'submit login' })).toBe(
      0.8,
    );
    expect(sample(samples, 'firedrill_probe_last_result', { ...loginL, result: 'flaky' })).toBe(1);
    expect(sample(samples, 'firedrill_probe_last_result', { ...loginL, result: 'pass' })).toBe(0);
    expect(sample(samples, 'firedrill_probe_last_result', { ...apiL, result: 'pass' })).toBe(1);
    expect(sample(samples, 'firedrill_browser_frontend_errors_total', loginL)).toBe(2);
    expect(
      sample(samples, 'firedrill_probe_info', {
        probe: 'login',
        kind: 'browser',
        schedule: '*/5 * * * *',
        location: 'lab',
      }),
    ).toBe(1);
    expect(sample(samples, 'firedrill_probe_last_run_timestamp_seconds', apiL)).toBe(1_700_000_001.234);
  });

  it('counts runs by result, a pass after retry as flaky, and skipped overlaps', async () => {
    const { samples } = await exposition([
      api,
      login,
      result({ id: 'api', status: 'fail' }),
      result({ id: 'api', status: 'error' }),
      result({ id: 'api', status: 'pass' }),
    ]);
    const apiL = { probe: 'api', kind: 'http', location: 'lab' };
    expect(sample(samples, 'firedrill_runs_total', { ...apiL, result: 'pass' })).toBe(2);
    expect(sample(samples, 'firedrill_runs_total', { ...apiL, result: 'fail' })).toBe(1);
    expect(sample(samples, 'firedrill_runs_total', { ...apiL, result: 'error' })).toBe(1);
    expect(sample(samples, 'firedrill_runs_total', { probe: 'login', result: 'flaky' })).toBe(1);
    // A flaky pass is no pass; the described probe's pass counter stays at its 0.
    expect(sample(samples, 'firedrill_runs_total', { probe: 'login', result: 'pass' })).toBe(0);
    expect(sample(samples, 'firedrill_skipped_runs_total', { probe: 'login', kind: 'browser' })).toBe(1);
    // The last run decides the gauges.
    expect(sample(samples, 'probe_success', apiL)).toBe(1);
  });

  it('keeps per-step durations in a histogram', async () => {
    const { samples } = await exposition([api, api]);
    const l = { probe: 'api', step: 'log in' };
    expect(sample(samples, 'firedrill_step_duration_seconds_count', l)).toBe(2);
    expect(sample(samples, 'firedrill_step_duration_seconds_sum', l)).toBeCloseTo(0.08);
    expect(sample(samples, 'firedrill_step_duration_seconds_bucket', { ...l, le: '0.025' })).toBe(0);
    expect(sample(samples, 'firedrill_step_duration_seconds_bucket', { ...l, le: '0.05' })).toBe(2);
    expect(sample(samples, 'firedrill_schedule_lateness_seconds_count', { location: 'lab' })).toBe(1);
  });

  it('falls back to the Result kind for a probe nobody described', async () => {
    const m = new ProbeMetrics();
    m.observe(result({ id: 'adhoc', status: 'fail' }));
    expect(sample(parseExposition(await m.expose()), 'probe_success', { probe: 'adhoc' })).toBe(0);
    expect(parseExposition(await m.expose()).find((s) => s.name === 'probe_success')?.labels.kind).toBe(
      'probe',
    );
  });

  it('passes promtool check metrics', async () => {
    const { text } = await exposition([api, login]);
    const out = execFileSync('promtool', ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    expect(out.trim()).toBe('');
  });

  it('keeps only last-run gauges in what a one-shot run pushes', async () => {
    const m = new ProbeMetrics();
    m.describe({ id: 'api', kind: 'http', location: 'lab' });
    m.observe(api);
    const names = new Set(parseExposition(await m.lastValues.metrics()).map((s) => s.name));
    expect(names.has('probe_success')).toBe(true);
    expect(names.has('firedrill_probe_last_result')).toBe(true);
    expect([...names].filter((n) => /_total$|_bucket$|_count$|_sum$/.test(n))).toEqual([]);
  });

  it('uses its own registry, never the global one', async () => {
    const a = new ProbeMetrics();
    const b = new ProbeMetrics();
    a.observe(api);
    expect(await b.expose()).not.toContain('probe="api"');
  });
});
