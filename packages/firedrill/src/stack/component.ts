import type { Logger } from 'pino';
import type { Config, StackComponent } from '../config/schema.ts';
import type { Probe } from './health.ts';
import type { MonitoringSource } from './monitoring.ts';
import type { StackPaths } from './paths.ts';
import type { StackPortName, StackPorts } from './types.ts';

/** What a component needs to know about the stack it joins. */
export interface StackContext {
  config: Config;
  root: string;
  paths: StackPaths;
  ports: StackPorts;
  profile: 'fast' | 'default';
  /** Components that will run once this `up` is done (started now or already running). */
  active: ReadonlySet<StackComponent>;
  monitoring: MonitoringSource;
  logger: Logger;
  /** Downloads unpacked here (OpenSearch). */
  cacheDir: string;
  /** Effective uid: as root, OpenSearch must be started as `nobody`. */
  uid: number;
}

export type ProbeContext = Pick<StackContext, 'ports' | 'paths'>;

/** How to run a component, produced after its config files are written. */
export interface LaunchPlan {
  command: string;
  args: string[];
  /** Variables of this component only; PATH, HOME and the stack marker are added. */
  env: Record<string, string>;
  cwd: string;
  /** A string in /proc/<pid>/cmdline that only this component of this stack has (usually its config path). */
  identity: string;
  /** The main generated config, recorded in state for people to read. */
  configFile?: string;
  /** Every generated file's content, hashed to tell a config change (reload) from no change (reuse). */
  configText: string;
}

export interface ComponentDefinition {
  name: StackComponent;
  /** Components that must be ready before this one starts, when they are part of the stack. */
  after: readonly StackComponent[];
  /** The port it listens on; absent for the log shipper. */
  port?: StackPortName;
  url?(ports: StackPorts): string;
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  /** Cheap checks run for every selected component before anything starts; throw StackError. */
  preflight?(ctx: StackContext): void;
  /** Writes config files (and fetches what is missing); says how to launch. */
  prepare(ctx: StackContext, signal?: AbortSignal): Promise<LaunchPlan>;
  /** Runs only when a fresh process is about to start (validation, clearing a stale pid file). */
  beforeStart?(ctx: StackContext): Promise<void>;
  /** Ready to serve. Also used by `status`, which knows only ports and paths. */
  probe(ctx: ProbeContext): Probe;
  /** Stack-wide conditions after `probe` passes, e.g. Prometheus has discovered Alertmanager. */
  settle?(ctx: StackContext): Probe;
  /** Idempotent work once ready, on every `up` (e.g. the index template). */
  afterReady?(ctx: StackContext, signal?: AbortSignal): Promise<void>;
  /** Applies changed config files without a restart. */
  reload?(ctx: StackContext): Promise<void>;
}

export const loopback = (port: number): string => `http://127.0.0.1:${port}`;
