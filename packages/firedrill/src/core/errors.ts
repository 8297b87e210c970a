/**
 * A problem with the setup (config, a missing program, an unreachable stack), not with the
 * system under test: the CLI prints its message without a stack trace and exits 2.
 */
export class SetupError extends Error {
  override name = 'SetupError';
}

/**
 * `ErrorInfo.type`s of errors that are the setup's fault though they surfaced inside a run (a
 * backend refusing firedrill's credentials, Chromium missing): the CLI exits 2 for them.
 */
export const SETUP_ERROR_TYPES: ReadonlySet<string> = new Set([
  'SetupError',
  'backend-access',
  'browser-setup',
]);
