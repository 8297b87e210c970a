import type { StackComponent, StackConfig } from '../config/schema.ts';
import { SetupError } from '../core/errors.ts';

/** Every port the stack hands out: the components that listen, OpenSearch's transport, and two for firedrill. */
export type StackPortName = keyof StackConfig['ports'];
export type StackPorts = Record<StackPortName, number>;

export const STACK_PORT_NAMES = [
  'opensearch',
  'opensearch-transport',
  'slack-sink',
  'demo-app',
  'pushgateway',
  'alertmanager',
  'prometheus',
  'firedrill-metrics',
  'firedrill-webhook',
] as const satisfies readonly StackPortName[];

/** One running component, as `up` recorded it. */
export interface ComponentState {
  pid: number;
  /**
   * Start time from `/proc/<pid>/stat` (clock ticks since boot): with the command line it proves
   * a pid still belongs to the process `up` started, so a recycled pid is never signalled.
   */
  procStart: number;
  /** The log shipper listens nowhere, so it has neither port nor URL. */
  port?: number;
  url?: string;
  /** ISO-8601. */
  startedAt: string;
  /** Milliseconds from spawn until the component passed its readiness check. */
  readyMs?: number;
  /** stdout and stderr of the process. */
  logFile: string;
  configFile?: string;
  /** A string in its /proc/<pid>/cmdline that only this component of this stack has. */
  identity: string;
  /** The command line as spawned, for people reading the state file. */
  command: string[];
  /** Hash of command, arguments and environment: a change means restart. */
  launchHash: string;
  /** Hash of the generated config files: a change means reload (or restart). */
  configHash: string;
}

/** What the last `stackUp` did, for the closing summary and for timing cold against warm starts. */
export interface StackUpRecord {
  startedAt: string;
  durationMs: number;
  started: StackComponent[];
  reloaded: StackComponent[];
  reused: StackComponent[];
}

/** `<stateDir>/stack/state.json`. */
export interface StackState {
  version: 1;
  /** Absolute. */
  stateDir: string;
  root: string;
  profile: 'fast' | 'default';
  ports: StackPorts;
  components: Partial<Record<StackComponent, ComponentState>>;
  lastUp?: StackUpRecord;
  updatedAt: string;
}

/** A setup problem: a missing program, a component that would not start, a port in use. */
export class StackError extends SetupError {
  override name = 'StackError';
  override readonly type = 'stack';
}

/** How a component is doing right now, for `firedrill stack status`. */
export interface ComponentStatus {
  component: StackComponent;
  /** A recorded process that is alive and still ours. */
  running: boolean;
  /** Running and passing its readiness check. */
  healthy: boolean;
  pid?: number;
  port?: number;
  url?: string;
  startedAt?: string;
  uptimeMs?: number;
  readyMs?: number;
  logFile?: string;
  /** Why it is not healthy. */
  detail?: string;
}
