import type { Threshold } from 'k6/options';
import type { Flow, Profile } from './env.ts';

/**
 * The SLOs, as data. Per flow: at most 1 % failed requests, 99 % of checks passing, and p95/p99
 * request durations. Login is slow on purpose (scrypt costs ~150 ms per attempt on 2 cores), so
 * its budget is wider than the API's.
 */
export const SLO = {
  login: { p95Ms: 1000, p99Ms: 2000 },
  api: { p95Ms: 400, p99Ms: 1000 },
  'image-processing': { p95Ms: 600, p99Ms: 1500 },
} as const satisfies Record<Flow, { p95Ms: number; p99Ms: number }>;

/** Upload accepted → processed output ready, as the user waits for it. */
export const IMAGE_PROCESSING_SLO = { p95Ms: 5000, p99Ms: 10_000 } as const;

export const MAX_FAILED_RATE = 0.01;
export const MIN_CHECKS_RATE = 0.99;

/**
 * Soak runs for an hour: once the error rate is clearly broken there is nothing left to learn,
 * so it stops early — after a minute of data, so a cold start cannot trip it.
 */
function failedRate(profile: Profile): Threshold[] {
  const slo = `rate<${MAX_FAILED_RATE}`;
  return profile === 'soak'
    ? [slo, { threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '1m' }]
    : [slo];
}

/**
 * Thresholds are keyed by `{flow:…}` sub-metrics so that in a mixed run one flow's SLO cannot be
 * met on the back of another's fast requests — and so firedrill can report each flow on its own.
 */
export function flowThresholds(flow: Flow, profile: Profile): Record<string, Threshold[]> {
  const { p95Ms, p99Ms } = SLO[flow];
  return {
    [`http_req_failed{flow:${flow}}`]: failedRate(profile),
    [`http_req_duration{flow:${flow}}`]: [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
    [`checks{flow:${flow}}`]: [`rate>${MIN_CHECKS_RATE}`],
  };
}
