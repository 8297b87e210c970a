import { describe, expect, it } from 'vitest';
import { parseFaroBeacon } from '../../../../packages/firedrill/src/probes/browser/faro.ts';

const beacon = (body: Record<string, unknown>) =>
  JSON.stringify({ meta: { sdk: { name: 'faro' } }, ...body });

describe('parseFaroBeacon', () => {
  it.each([
    ['empty body', null],
    ['not JSON', '{oops'],
    ['JSON without meta', JSON.stringify({ measurements: [] })],
    ['meta but no Faro items', JSON.stringify({ meta: {}, query: 'x' })],
    ['an array', '[1,2]'],
    ['a form body', 'username=demo&password=x'],
  ])('%s is not a beacon', (_, body) => {
    expect(parseFaroBeacon(body)).toBeUndefined();
  });

  it('reads web vitals from measurements, ignoring other measurement types and deltas', () => {
    const parsed = parseFaroBeacon(
      beacon({
        measurements: [
          { type: 'web-vitals', values: { lcp: 812.5, delta: 812.5 }, context: { rating: 'good' } },
          { type: 'web-vitals', values: { cls: 0.031, delta: 0.01 } },
          { type: 'web-vitals', values: { ttfb: 42, dns_duration: 0 } },
          { type: 'custom', values: { lcp: 99999 } },
          { type: 'web-vitals', values: { inp: 'fast' } },
        ],
      }),
    );
    expect(parsed).toEqual({
      vitals: [
        { name: 'lcp', value: 812.5 },
        { name: 'cls', value: 0.031 },
        { name: 'ttfb', value: 42 },
      ],
      errors: [],
    });
  });

  it('reads exceptions as "Type: message"', () => {
    const parsed = parseFaroBeacon(
      beacon({
        exceptions: [
          {
            type: 'TypeError',
            value: "Cannot read properties of undefined (reading 'id')",
            stacktrace: { frames: [] },
          },
          { type: 'Error' },
        ],
      }),
    );
    expect(parsed?.errors).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'id')",
      'Error',
    ]);
  });

  it('a beacon with only logs or events still counts as a beacon', () => {
    expect(parseFaroBeacon(beacon({ events: [{ name: 'session_start' }] }))).toEqual({
      vitals: [],
      errors: [],
    });
  });
});
