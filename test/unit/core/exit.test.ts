import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../packages/firedrill/src/config/load.ts';
import { BackendAccessError } from '../../../packages/firedrill/src/connections/http.ts';
import {
  isSetupErrorType,
  SETUP_ERROR_TYPES,
  SetupError,
} from '../../../packages/firedrill/src/core/errors.ts';
import {
  describeError,
  EXIT,
  exitCodeFor,
  exitCodeForError,
} from '../../../packages/firedrill/src/core/exit.ts';
import { errorInfo, type Result } from '../../../packages/firedrill/src/core/result.ts';
import { DrillGuardError } from '../../../packages/firedrill/src/drills/environment.ts';
import { LeftoverFaultError } from '../../../packages/firedrill/src/drills/leftovers.ts';
import { UnknownAlertError } from '../../../packages/firedrill/src/drills/preflight.ts';
import { K6NotFoundError } from '../../../packages/firedrill/src/load/find-k6.ts';
import { LoadSetupError } from '../../../packages/firedrill/src/load/run.ts';
import { UnknownScenarioError } from '../../../packages/firedrill/src/load/scenarios.ts';
import { LoadTargetError } from '../../../packages/firedrill/src/load/target.ts';
import { BrowserSetupError } from '../../../packages/firedrill/src/probes/browser/chromium.ts';
import { ReporterSpecError } from '../../../packages/firedrill/src/reporting/definition.ts';
import { StackError } from '../../../packages/firedrill/src/stack/types.ts';

function result(status: Result['status'], error?: Error): Result {
  return {
    id: 'p',
    name: 'p',
    kind: 'probe',
    runId: 'r',
    start: 0,
    status,
    durationMs: 1,
    attempt: 1,
    steps: error ? [{ name: 's', status, start: 0, durationMs: 1, error: errorInfo(error) }] : [],
    artifacts: [],
  } as Result;
}

// Every setup-like error firedrill throws; a new one belongs here and under SetupError.
const SETUP_ERRORS: Array<[string, () => SetupError]> = [
  ['SetupError', () => new SetupError('x')],
  ['ConfigError', () => new ConfigError([{ file: 'firedrill.config.ts', path: 'baseUrl', message: 'bad' }])],
  ['StackError', () => new StackError('x')],
  [
    'BackendAccessError',
    () =>
      BackendAccessError.forStatus(
        { name: 'prometheus', configPath: 'environments.staging.prometheus' } as never,
        'https://prom.example.test',
        401,
        'Unauthorized',
      ),
  ],
  ['BrowserSetupError', () => new BrowserSetupError('no chromium')],
  ['K6NotFoundError', () => new K6NotFoundError(['PATH: no k6'])],
  ['LoadSetupError', () => new LoadSetupError('x')],
  ['LoadTargetError', () => new LoadTargetError('x')],
  ['UnknownScenarioError', () => new UnknownScenarioError('x')],
  ['DrillGuardError', () => new DrillGuardError('x')],
  ['ReporterSpecError', () => new ReporterSpecError('x')],
  ['LeftoverFaultError', () => new LeftoverFaultError('x')],
  ['UnknownAlertError', () => new UnknownAlertError('x')],
];

describe('one error hierarchy under SetupError', () => {
  it.each(SETUP_ERRORS)('%s is a SetupError with a listed type, and exits 2', (name, make) => {
    const err = make();
    expect(err).toBeInstanceOf(SetupError);
    expect(err.name).toBe(name);
    expect(SETUP_ERROR_TYPES).toContain(err.type);
    expect(exitCodeForError(err)).toBe(EXIT.setup);
  });

  it('every listed type has an error class', () => {
    const used = new Set(SETUP_ERRORS.map(([, make]) => make().type));
    expect([...SETUP_ERROR_TYPES].sort()).toEqual([...used].sort());
  });

  it('a setup error inside a run is recorded with its type and makes the run exit 2', () => {
    const failed = result('fail', new Error('HTTP 500'));
    const setup = result('error', new BrowserSetupError('Chromium not found at /nope'));
    expect(setup.steps[0]?.error?.type).toBe('browser-setup');
    expect(isSetupErrorType(setup.steps[0]?.error?.type)).toBe(true);
    expect(exitCodeFor([failed])).toBe(EXIT.failed);
    // "Fix the runner" outranks a failing probe.
    expect(exitCodeFor([failed, setup])).toBe(EXIT.setup);
  });

  it('results map to 0 and 1; a signal outranks them', () => {
    expect(exitCodeFor([result('pass'), result('skipped')])).toBe(EXIT.ok);
    expect(exitCodeFor([result('pass'), result('error')])).toBe(EXIT.failed);
    expect(exitCodeFor([result('pass')], 'SIGINT')).toBe(130);
    expect(exitCodeFor([result('fail')], 'SIGTERM')).toBe(143);
  });

  it("Commander's errors keep their meaning: --help is not a failure, an unknown option is usage", () => {
    expect(exitCodeForError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(EXIT.ok);
    expect(
      exitCodeForError(new CommanderError(1, 'commander.unknownOption', "unknown option '--nope'")),
    ).toBe(EXIT.setup);
  });

  it('a crash is never read as a verdict on the system under test', () => {
    expect(exitCodeForError(new TypeError('x is undefined'))).toBe(EXIT.setup);
    expect(describeError(new TypeError('x is undefined'))).toMatch(/TypeError: x is undefined\n\s+at /);
  });

  it('setup errors print without a stack; config errors say so and name the file and field', () => {
    expect(describeError(new StackError('prometheus would not start'))).toBe('prometheus would not start');
    expect(
      describeError(new ConfigError([{ file: 'firedrill.config.ts', path: 'baseUrl', message: 'bad' }])),
    ).toBe('invalid config\nfiredrill.config.ts: baseUrl: bad');
  });
});
