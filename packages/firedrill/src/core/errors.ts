/**
 * `ErrorInfo.type` of every setup problem: the one list CI's exit code 2 is read from, whether
 * the error stopped the command at once or surfaced inside a run (a backend refusing firedrill's
 * credentials mid-probe, Chromium missing). A subclass of SetupError must pick its type from here,
 * so a new kind of setup problem cannot be counted as a failure of the system under test.
 */
export const SETUP_ERROR_TYPES = [
  'setup',
  'config',
  'stack',
  'backend-access',
  'browser-setup',
  'k6-missing',
  'load-setup',
  'load-target',
  'unknown-scenario',
  'drill-guard',
  'leftover-fault',
  'reporter-spec',
  'unknown-alert',
] as const;

export type SetupErrorType = (typeof SETUP_ERROR_TYPES)[number];

const setupTypes: ReadonlySet<string> = new Set(SETUP_ERROR_TYPES);

/** True for an `ErrorInfo.type` that is the setup's fault (exit 2), not the system's (exit 1). */
export function isSetupErrorType(type: string | undefined): boolean {
  return type !== undefined && setupTypes.has(type);
}

/**
 * A problem with the setup (config, a missing program, an unreachable stack, refused
 * credentials), not with the system under test: the CLI prints its message without a stack
 * trace and exits 2. Every setup-like error in firedrill extends this one.
 */
export class SetupError extends Error {
  override name = 'SetupError';
  readonly type: SetupErrorType = 'setup';
}
