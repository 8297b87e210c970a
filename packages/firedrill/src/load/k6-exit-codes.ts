/**
 * k6's process exit codes, from `errext/exitcodes/codes.go` in grafana/k6 (97–109), plus 110
 * (`exec.test.fail()`, k6 ≥ 0.52). 99 is the one a CI gate cares about: thresholds crossed.
 */
export const K6_EXIT = {
  ok: 0,
  cloudTestRunFailed: 97,
  cloudFailedToGetProgress: 98,
  thresholdsHaveFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  genericTimeout: 102,
  scriptStoppedFromRestApi: 103,
  invalidConfig: 104,
  externalAbort: 105,
  cannotStartRestApi: 106,
  scriptException: 107,
  scriptAborted: 108,
  goPanic: 109,
  markedAsFailed: 110,
} as const;

/**
 * What a k6 exit means for firedrill:
 * - `pass`: every threshold held;
 * - `thresholds`: the system under test missed an SLO — a failed result, exit 1;
 * - `failed`: the test ran but was failed or cut short by the script or by k6 — exit 1;
 * - `setup`: k6 never ran the test because the script or its options are wrong — exit 2.
 */
export type K6Outcome = 'pass' | 'thresholds' | 'failed' | 'setup';

export interface K6ExitMeaning {
  outcome: K6Outcome;
  /** Short name for reports, e.g. `ThresholdsHaveFailed`. */
  name: string;
  description: string;
}

const MEANINGS: Record<number, K6ExitMeaning> = {
  0: { outcome: 'pass', name: 'Success', description: 'the test ran and every threshold held' },
  97: { outcome: 'failed', name: 'CloudTestRunFailed', description: 'the k6 Cloud test run failed' },
  98: {
    outcome: 'failed',
    name: 'CloudFailedToGetProgress',
    description: 'k6 lost track of the k6 Cloud test run',
  },
  // Also what a crossed `abortOnFail` threshold ends with (checked on k6 1.1.0).
  99: {
    outcome: 'thresholds',
    name: 'ThresholdsHaveFailed',
    description: 'one or more thresholds were crossed',
  },
  100: { outcome: 'failed', name: 'SetupTimeout', description: "the script's setup() timed out" },
  101: { outcome: 'failed', name: 'TeardownTimeout', description: "the script's teardown() timed out" },
  102: { outcome: 'failed', name: 'GenericTimeout', description: 'k6 timed out' },
  103: {
    outcome: 'failed',
    name: 'ScriptStoppedFromRESTAPI',
    description: "the test was stopped through k6's REST API",
  },
  104: {
    outcome: 'setup',
    name: 'InvalidConfig',
    description: 'the options or thresholds are invalid (k6 did not start the test)',
  },
  105: { outcome: 'failed', name: 'ExternalAbort', description: 'k6 was interrupted by a signal' },
  106: { outcome: 'setup', name: 'CannotStartRESTAPI', description: 'k6 could not start its REST API' },
  107: {
    outcome: 'failed',
    name: 'ScriptException',
    description: 'the script threw (in its init code, setup() or teardown())',
  },
  108: { outcome: 'failed', name: 'ScriptAborted', description: 'the script called test.abort()' },
  109: { outcome: 'failed', name: 'GoPanic', description: 'k6 crashed (Go panic)' },
  110: { outcome: 'failed', name: 'MarkedAsFailed', description: 'the script called test.fail()' },
};

export function k6ExitMeaning(code: number | null, signal?: NodeJS.Signals | null): K6ExitMeaning {
  if (code === null) {
    return {
      outcome: 'failed',
      name: signal ?? 'killed',
      description: `k6 was killed${signal ? ` by ${signal}` : ''} before it could report`,
    };
  }
  return (
    MEANINGS[code] ?? { outcome: 'failed', name: `exit ${code}`, description: `k6 exited with code ${code}` }
  );
}
