import type { Options, Scenario } from 'k6/options';
import { baseUrl, type Flow, type Profile } from './env.ts';
import { flowThresholds } from './slo.ts';

/**
 * How each flow is driven in each profile. Executors follow what the flow is:
 * - login: a fixed number of users logging in back to back (`constant-vus`); login cost is
 *   CPU-bound on the server, so concurrency is the knob that matters;
 * - api: requests arrive at a rate whatever the response time (`ramping-arrival-rate`), which is
 *   how real API clients behave and what exposes queueing;
 * - image-processing: a steady upload rate (`constant-arrival-rate`); the server processes one
 *   image at a time, so the rate sets the queue length.
 * Smoke runs for 5 s (CI, the integration test); release for minutes; soak for an hour.
 */
const PLANS: Record<Flow, Record<Profile, Scenario>> = {
  login: {
    smoke: { executor: 'constant-vus', vus: 1, duration: '5s', gracefulStop: '5s' },
    release: { executor: 'constant-vus', vus: 5, duration: '3m' },
    soak: { executor: 'constant-vus', vus: 2, duration: '1h' },
  },
  api: {
    smoke: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 2,
      maxVUs: 5,
      stages: [
        { duration: '2s', target: 5 },
        { duration: '3s', target: 5 },
      ],
      gracefulStop: '5s',
    },
    release: {
      executor: 'ramping-arrival-rate',
      startRate: 5,
      timeUnit: '1s',
      preAllocatedVUs: 10,
      maxVUs: 60,
      stages: [
        { duration: '2m', target: 40 },
        { duration: '5m', target: 40 },
        { duration: '1m', target: 0 },
      ],
    },
    soak: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 5,
      maxVUs: 30,
      stages: [
        { duration: '5m', target: 15 },
        { duration: '50m', target: 15 },
        { duration: '5m', target: 0 },
      ],
    },
  },
  'image-processing': {
    smoke: {
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '1s',
      duration: '5s',
      preAllocatedVUs: 2,
      maxVUs: 4,
      gracefulStop: '10s',
    },
    release: {
      executor: 'constant-arrival-rate',
      rate: 2,
      timeUnit: '1s',
      duration: '5m',
      preAllocatedVUs: 5,
      maxVUs: 20,
    },
    soak: {
      executor: 'constant-arrival-rate',
      rate: 12,
      timeUnit: '1m',
      duration: '1h',
      preAllocatedVUs: 2,
      maxVUs: 10,
    },
  },
};

/** Exported function each flow's scenario runs (`exec`); scenario files export them by these names. */
export const EXEC: Record<Flow, string> = {
  login: 'loginFlow',
  api: 'apiFlow',
  'image-processing': 'imageProcessingFlow',
};

/**
 * k6 options for some flows under one profile: one k6 scenario per flow, named and tagged after
 * it, plus the SLO thresholds of each. `extraThresholds` adds flow-specific ones (custom trends).
 */
export function loadOptions(
  flows: readonly Flow[],
  profile: Profile,
  extraThresholds: Options['thresholds'] = {},
): Options {
  // In the init context, so a missing BASE_URL stops k6 at once (exit 107) instead of failing
  // every iteration while the thresholds, having no samples, pass.
  baseUrl();
  const scenarios: Record<string, Scenario> = {};
  let thresholds: NonNullable<Options['thresholds']> = { ...extraThresholds };
  for (const flow of flows) {
    scenarios[flow] = { ...PLANS[flow][profile], exec: EXEC[flow], tags: { flow, profile } };
    thresholds = { ...thresholds, ...flowThresholds(flow, profile) };
  }
  return {
    scenarios,
    thresholds,
    // The URL of `/api/items/123` is unique per item: as a Prometheus label it would mint a
    // series per request. The `name` tag carries the route template instead.
    systemTags: [
      'check',
      'error',
      'error_code',
      'expected_response',
      'group',
      'method',
      'name',
      'proto',
      'scenario',
      'status',
      'tls_version',
    ],
    // The app's access log can tell load traffic from probes and people.
    userAgent: 'firedrill-k6/0.1',
  };
}
