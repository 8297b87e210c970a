/**
 * firedrill's public API: what a team's `firedrill.config.ts`, probes and drills import.
 * Everything else in the package is private and may change between versions.
 *
 * @example
 * import { defineProbe } from 'firedrill';
 * export default defineProbe({ id: 'health', kind: 'http', async run({ step, http }) { … } });
 */

export type {
  AlertFiresCondition,
  AlertSource,
  Condition,
  ConditionPlan,
  DrillConditionResult,
  LogMatchValue,
  LogsArriveCondition,
  NoSlackMessageCondition,
  PromqlCondition,
  PromqlOp,
  SlackMessageCondition,
} from './conditions/index.ts';
// The config file.
export { defineConfig, env, requiredEnv } from './config/define.ts';
export type { Config, ConfigInput, EnvironmentConfig } from './config/schema.ts';
export { connectionFromEnv, type FromEnvOptions } from './connections/from-env.ts';
export type { Auth, ConnectionInput, TlsOptions } from './connections/schema.ts';
export type { Duration } from './core/duration.ts';
// What every run produces, for scripts that read the JSON report.
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
  DrillDefinition,
  ProbeTrafficSpec,
  RequestTrafficSpec,
  ResolveSpec,
  TrafficRequest,
  TrafficSpec,
} from './drills/define.ts';
// Drills: the definition, its conditions and its faults.
export {
  alertFires,
  appFault,
  badTraffic,
  defineDrill,
  grafanaTestNotification,
  injectAlert,
  logsArrive,
  noSlackMessage,
  promql,
  shell,
  slackMessage,
  toxiproxy,
} from './drills/define.ts';
export type { DrillPlan } from './drills/plan.ts';
export type {
  AppFaultSpec,
  BadTrafficSpec,
  FaultPlan,
  FaultSpec,
  GrafanaTestNotificationSpec,
  InjectAlertSpec,
  ShellFaultSpec,
  ToxiproxyFaultSpec,
} from './faults/index.ts';
export { ProbeAssertionError, quoteText } from './probes/browser/assertions.ts';
export type {
  BrowserProbeContext,
  BrowserProbeDefinition,
  HttpClient,
  HttpProbeContext,
  HttpProbeDefinition,
  HttpResponse,
  ProbeContextBase,
  ProbeDefinition,
  ProbeKind,
  ResolvedEnvironment,
  ResponseExpectations,
} from './probes/define.ts';
// Probes.
export {
  AssertionError,
  above,
  absent,
  atLeast,
  atMost,
  below,
  defineProbe,
  exists,
  hasLength,
  isType,
  matches,
  nonEmpty,
  oneOf,
} from './probes/define.ts';
