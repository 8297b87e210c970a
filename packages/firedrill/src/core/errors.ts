/**
 * A problem with the setup (config, a missing program, an unreachable stack), not with the
 * system under test: the CLI prints its message without a stack trace and exits 2.
 */
export class SetupError extends Error {
  override name = 'SetupError';
}
