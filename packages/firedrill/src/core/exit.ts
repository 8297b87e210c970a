import { SetupError } from './errors.ts';
import { type Result, setupErrorOf } from './result.ts';

/**
 * The exit codes CI gates on, in one place: every command's code comes from here, from its
 * results (`exitCodeFor`) or from what stopped it (`exitCodeForError`), and the reports record
 * the same code the process exits with.
 */
export const EXIT = {
  ok: 0,
  /** Something under test failed or errored. */
  failed: 1,
  /** The setup is wrong: config, usage, a missing program, the stack, refused credentials. */
  setup: 2,
  /** Interrupted; faults were rolled back first. 128 + the signal's number, as shells do. */
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const SIGNAL_EXIT: Readonly<Record<string, ExitCode>> = {
  SIGINT: EXIT.sigint,
  SIGTERM: EXIT.sigterm,
};

/**
 * From a run's results: 2 when any error was the setup's fault ("fix the runner" outranks a
 * failing probe), else 1 when any result failed or errored, else 0; a signal outranks all.
 */
export function exitCodeFor(results: readonly Result[], signal?: string): ExitCode {
  if (signal) return SIGNAL_EXIT[signal] ?? EXIT.failed;
  if (setupErrorOf(results)) return EXIT.setup;
  return results.every((r) => r.status === 'pass' || r.status === 'skipped') ? EXIT.ok : EXIT.failed;
}

/**
 * From an error that stopped a command before it had results. Commander's own errors (unknown
 * option, --help) carry their code; `--help` and `--version` are not failures.
 */
export function exitCodeForError(err: unknown): ExitCode {
  if (isCommanderError(err)) return err.exitCode === 0 ? EXIT.ok : EXIT.setup;
  // Anything else that escaped a command is firedrill's or the setup's problem, never a verdict
  // on the system under test: a crash must not read as "the app failed" in CI.
  return EXIT.setup;
}

/** What the CLI prints for an error that stopped a command: setup errors without a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof SetupError) {
    return err.type === 'config' ? `invalid config\n${err.message}` : err.message;
  }
  return (err as Error).stack ?? String(err);
}

/** Commander tags its errors `commander.*` (documented), and already printed them. */
export function isCommanderError(err: unknown): err is Error & { code: string; exitCode: number } {
  const e = err as { code?: unknown; exitCode?: unknown } | null;
  return typeof e?.code === 'string' && e.code.startsWith('commander.') && typeof e.exitCode === 'number';
}
