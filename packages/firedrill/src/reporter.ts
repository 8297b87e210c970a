/**
 * For a team's own reporter: `--reporter ./my-reporter.ts` imports the file and uses its default
 * export, a `Reporter` or a function that returns one. Every hook is optional; one that throws is
 * reported and the run goes on (the multiplexer isolates it), like Playwright's reporters.
 *
 * @example
 * import type { Reporter } from 'firedrill/reporter';
 * export default { onResult(result) { console.log(result.id, result.status); } } satisfies Reporter;
 */

export type {
  Artifact,
  ConditionResult,
  ErrorInfo,
  Result,
  ResultKind,
  Status,
  StepResult,
  TimelineEvent,
} from './core/result.ts';
export type {
  Reporter,
  ReporterHook,
  ResultRef,
  RunContext,
  RunKind,
  RunSummary,
} from './reporting/reporter.ts';
