import { describe, expect, it } from 'vitest';
import { metricNamesOf } from '../../../packages/firedrill/src/core/promql.ts';

describe('metricNamesOf', () => {
  it.each([
    ['up == 0', ['up']],
    [
      'sum(rate(http_requests_total{status=~"5..", job="app"}[1m])) / clamp_min(sum(rate(http_request_duration_seconds_count[1m])), 1) > 0.05',
      ['http_requests_total', 'http_request_duration_seconds_count'],
    ],
    [
      'histogram_quantile(0.99, sum by (le) (rate(db_query_seconds_bucket[5m]))) > 0.5',
      ['db_query_seconds_bucket'],
    ],
    ['{__name__="probe_success", job="firedrill"} == 0', ['probe_success']],
    ['{__name__=~"probe_.*"} == 0', []],
    ['absent(up{job="app"}) and on() vector(1)', ['up']],
    [
      'max_over_time(queue_depth[10m] offset 1m) > 100 unless on(job) maintenance_mode == 1',
      ['queue_depth', 'maintenance_mode'],
    ],
  ])('%s', (expr, names) => {
    expect(metricNamesOf(expr).sort()).toEqual([...names].sort());
  });
});
