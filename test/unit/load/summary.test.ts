import { describe, expect, it } from 'vitest';
import {
  observedValue,
  parseMetricKey,
  parseSummaryExport,
  parseThresholdExpression,
} from '../../../packages/firedrill/src/load/summary.ts';
import { capturedSummary } from './helpers.ts';

describe('parseSummaryExport on k6 1.1.0 output', () => {
  it('reads a passing run: thresholds held, metric types inferred from their keys', () => {
    const s = capturedSummary('pass');
    const fast = s.metrics.get('http_req_duration{flow:fast}')!;
    expect(fast).toMatchObject({
      name: 'http_req_duration',
      tags: { flow: 'fast' },
      type: 'trend',
      samples: 20,
    });
    expect(fast.thresholds).toEqual([
      { expression: 'p(95)<500', ok: true },
      { expression: 'p(99)<1000', ok: true },
    ]);
    expect(s.metrics.get('http_req_failed{flow:fast}')).toMatchObject({ type: 'rate', samples: 20 });
    expect(s.metrics.get('http_reqs')).toMatchObject({ type: 'counter', samples: 30 });
    expect(s.checks.map((c) => c.name).sort()).toEqual(['fast: status 200', 'slow: status 200']);
  });

  it('reads k6 "true" as crossed: the breaching run fails the slow flow only', () => {
    const s = capturedSummary('breach');
    const crossed = [...s.metrics.values()].flatMap((m) =>
      m.thresholds.filter((t) => !t.ok).map((t) => `${m.key} ${t.expression}`),
    );
    expect(crossed.sort()).toEqual([
      'checks{flow:slow} rate>0.99',
      'http_req_duration{flow:slow} p(95)<20',
      'http_req_failed{flow:slow} rate<0.01',
    ]);
  });

  it("reads a Rate's passes as non-zero samples: http_req_failed passes are failures", () => {
    const failed = capturedSummary('breach').metrics.get('http_req_failed{flow:slow}')!;
    expect(failed.values).toMatchObject({ passes: 10, fails: 0, value: 1 });
    expect(observedValue(failed, 'rate')).toBe(1);
  });

  it('sees that a flow which sent nothing still "passes" in k6 (zero samples)', () => {
    const idle = capturedSummary('pass').metrics.get('http_req_duration{flow:idle}')!;
    expect(idle.samples).toBe(0);
    expect(idle.thresholds).toEqual([{ expression: 'p(95)<500', ok: true }]);
  });

  it('types a Gauge by elimination (k6 exports value/min/max)', () => {
    const s = parseSummaryExport({ metrics: { vus: { value: 1, min: 1, max: 5 } } });
    expect(s.metrics.get('vus')).toMatchObject({ type: 'gauge', samples: undefined });
  });

  it.each([
    [null, 'not a k6 --summary-export file: no "metrics" object'],
    [{ metrics: [] }, 'not a k6 --summary-export file: no "metrics" object'],
    [{ metrics: { x: 3 } }, 'metrics.x: expected an object'],
    [{ metrics: { x: { thresholds: [] } } }, 'metrics.x.thresholds: expected an object'],
    [
      { metrics: { x: { thresholds: { 'p(95)<1': { ok: true } } } } },
      'metrics.x.thresholds["p(95)<1"]: expected a boolean, got {"ok":true}',
    ],
  ])('rejects %j with %s', (json, message) => {
    expect(() => parseSummaryExport(json)).toThrow(message);
  });
});

describe('metric keys and threshold expressions', () => {
  it.each([
    ['http_reqs', { name: 'http_reqs', tags: {} }],
    ['http_req_duration{flow:login}', { name: 'http_req_duration', tags: { flow: 'login' } }],
    ['checks{flow:api,step:list}', { name: 'checks', tags: { flow: 'api', step: 'list' } }],
    ['http_req_duration{url:http://x:1/a}', { name: 'http_req_duration', tags: { url: 'http://x:1/a' } }],
  ])('%s', (key, expected) => {
    expect(parseMetricKey(key)).toEqual(expected);
  });

  it.each([
    ['p(95)<500', { stat: 'p(95)', op: '<', limit: 500 }],
    ['p(99.9) <= 1500', { stat: 'p(99.9)', op: '<=', limit: 1500 }],
    ['rate>0.99', { stat: 'rate', op: '>', limit: 0.99 }],
    ['count>=10', { stat: 'count', op: '>=', limit: 10 }],
    ['avg==0', { stat: 'avg', op: '==', limit: 0 }],
    ['value<1e-3', { stat: 'value', op: '<', limit: 0.001 }],
  ])('%s', (expression, expected) => {
    expect(parseThresholdExpression(expression)).toEqual(expected);
  });

  it('gives up on what is not a threshold expression', () => {
    expect(parseThresholdExpression('p95 under 500')).toBeUndefined();
  });
});
