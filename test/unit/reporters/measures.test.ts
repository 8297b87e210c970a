import { describe, expect, it } from 'vitest';
import { formatMeasure } from '../../../packages/firedrill/src/reporting/summary.ts';

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
