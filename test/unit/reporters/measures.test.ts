import { describe, expect, it } from 'vitest';
import {
  formatMeasure,
  formatMetric,
  metricStatUnit,
} from '../../../packages/firedrill/src/reporting/units.ts';

// Step measures mix HTTP phases (ms) with counts and codes; only durations get a unit.
describe('formatMeasure', () => {
  it.each([
    ['processing', 312.4, '312ms'],
    ['connect', 1, '1ms'],
    ['total', 1520, '1.52s'],
    ['queue_ms', 40, '40ms'],
    ['http_requests', 1, '1'],
    ['http_status_code', 200, '200'],
    ['http_redirects', 0, '0'],
    ['cls', 0.0123, '0.012'],
  ])('%s %d → %s', (name, value, text) => {
    expect(formatMeasure(name, value)).toBe(text);
  });
});

// Result.metrics and load numbers: only durations get ms; codes, counts, ratios, bytes their own.
describe('formatMetric', () => {
  it.each([
    ['http_status_code', 200, '200'],
    ['http_status', 503, '503'],
    ['http_redirects', 2, '2'],
    ['frontend_errors', 3, '3'],
    ['http_content_length', 18_234, '18 KB'],
    ['http_content_length', 512, '512 B'],
    ['cert_expiry_days', 43, '43 days'],
    ['ssl_earliest_cert_expiry', 1_767_225_600, '2026-01-01'],
    ['image_processing_ms', 3_310, '3.31s'],
    ['own_ms_notify', 550, '550ms'],
    ['http_req_duration_p95', 412.3, '412ms'],
    ['http_req_duration_count', 30, '30'],
    ['http_req_failed_rate', 0.0123, '1.23%'],
    ['checks_rate', 1, '100%'],
    ['http_reqs_count', 30, '30'],
    ['iterations_count', 31, '31'],
    ['vus_max', 10, '10'],
    ['rate', 1, '100%'],
    ['items_seen', 7, '7'],
    ['score', 0.12345, '0.123'],
  ])('%s %d → %s', (name, value, text) => {
    expect(formatMetric(name, value)).toBe(text);
  });

  it.each([
    ['http_req_duration{flow:login}', 'p(95)', 'duration'],
    ['http_req_duration', 'count', 'count'],
    ['http_req_failed{flow:slow}', 'rate', 'ratio'],
    ['http_reqs', 'rate', 'per-second'],
    ['data_received', 'count', 'bytes'],
    ['image_processing_duration', 'avg', 'duration'],
    ['items_seen', 'avg', 'plain'],
  ])('the %s stat %s is a %s', (metric, stat, unit) => {
    expect(metricStatUnit(metric, stat)).toBe(unit);
  });
});
