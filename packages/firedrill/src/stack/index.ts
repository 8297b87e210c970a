/**
 * The embedded local stack: real Prometheus, Alertmanager, Pushgateway, OpenSearch fed by
 * rsyslog, the Slack sink and the demo app, on loopback, started by `firedrill stack up`.
 */
export type { StackComponent } from '../config/schema.ts';
export type { StackDownOptions, StackDownResult } from './down.ts';
export { stackDown } from './down.ts';
export type { StackLogsOptions } from './logs.ts';
export { stackLogs } from './logs.ts';
export type { AlertmanagerConfigOptions, MonitoringRenderers, StackProfile } from './monitoring.ts';
export { resolveStateDir, stackPaths } from './paths.ts';
export { readStackState } from './state.ts';
export type { StackStatusOptions } from './status.ts';
export { stackStatus } from './status.ts';
export type {
  ComponentState,
  ComponentStatus,
  StackPortName,
  StackPorts,
  StackState,
  StackUpRecord,
} from './types.ts';
export { StackError } from './types.ts';
export type { StackUpOptions } from './up.ts';
export { stackUp } from './up.ts';
export type { StackUrls } from './urls.ts';
export { stackUrls } from './urls.ts';
