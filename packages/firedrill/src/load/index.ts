/**
 * Load: k6 scenarios from `scenarios/`, run by a k6 found on this machine (or in Docker), with
 * metrics streamed to Prometheus and the end-of-test summary turned into firedrill results.
 */
export { bundleScenario, K6_EXTERNALS } from './bundle.ts';
export type { FindK6Options, K6Runtime, K6Version } from './find-k6.ts';
export {
  describeK6,
  findK6,
  installedK6Path,
  K6_DOCKER_IMAGE,
  K6NotFoundError,
  parseK6Version,
  runsTypeScriptNatively,
} from './find-k6.ts';
export type { K6Plan } from './inspect.ts';
export { parseInspectOutput, plannedGroups } from './inspect.ts';
export type { K6ExitMeaning, K6Outcome } from './k6-exit-codes.ts';
export { K6_EXIT, k6ExitMeaning } from './k6-exit-codes.ts';
export type { TestRunManifest, TestRunOptions } from './k8s.ts';
export { testRunManifest } from './k8s.ts';
export type { LoadResultContext } from './results.ts';
export { loadResults, resultIdFor, resultNameFor } from './results.ts';
export type { LoadRun, LoadRunOptions } from './run.ts';
export { LoadSetupError, newLoadRunId, runLoad } from './run.ts';
export type { ScenarioFile } from './scenarios.ts';
export { listScenarios, resolveScenario, UnknownScenarioError } from './scenarios.ts';
export type { K6Summary, MetricSummary } from './summary.ts';
export { parseSummaryExport, SummaryFormatError } from './summary.ts';
export type { LoadTarget } from './target.ts';
export { LoadTargetError, resolveLoadTarget } from './target.ts';
