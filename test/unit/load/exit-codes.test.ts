import { describe, expect, it } from 'vitest';
import { K6_EXIT, k6ExitMeaning } from '../../../packages/firedrill/src/load/k6-exit-codes.ts';
import { captured } from './helpers.ts';

describe('k6 exit codes', () => {
  it.each([
    [0, 'pass', 'Success'],
    [97, 'failed', 'CloudTestRunFailed'],
    [98, 'failed', 'CloudFailedToGetProgress'],
    [99, 'thresholds', 'ThresholdsHaveFailed'],
    [100, 'failed', 'SetupTimeout'],
    [101, 'failed', 'TeardownTimeout'],
    [102, 'failed', 'GenericTimeout'],
    [103, 'failed', 'ScriptStoppedFromRESTAPI'],
    [104, 'setup', 'InvalidConfig'],
    [105, 'failed', 'ExternalAbort'],
    [106, 'setup', 'CannotStartRESTAPI'],
    [107, 'failed', 'ScriptException'],
    [108, 'failed', 'ScriptAborted'],
    [109, 'failed', 'GoPanic'],
    [110, 'failed', 'MarkedAsFailed'],
    [1, 'failed', 'exit 1'],
  ])('%i → %s (%s)', (code, outcome, name) => {
    expect(k6ExitMeaning(code)).toMatchObject({ outcome, name });
  });

  it('names the signal when k6 was killed', () => {
    expect(k6ExitMeaning(null, 'SIGKILL')).toEqual({
      outcome: 'failed',
      name: 'SIGKILL',
      description: 'k6 was killed by SIGKILL before it could report',
    });
  });

  // The codes the real binary produced when the fixtures were captured, by case.
  it.each([
    ['pass', K6_EXIT.ok],
    ['breach', K6_EXIT.thresholdsHaveFailed],
    ['init-exception', K6_EXIT.scriptException],
    ['invalid-config', K6_EXIT.invalidConfig],
    ['abort', K6_EXIT.scriptAborted],
    ['marked-failed', K6_EXIT.markedAsFailed],
  ])(`captured from ${captured.k6Version.split(' (')[0]}: %s exits %i`, (name, code) => {
    expect(captured.cases.find((c) => c.case === name)?.exitCode).toBe(code);
  });
});
