import type { Logger } from 'pino';
import type { Connection, GrafanaConnection } from '../connections/schema.ts';
import type { Duration } from '../core/duration.ts';

/** Fault kinds of the reference app's `POST /__faults` endpoint. */
export const APP_FAULT_KINDS = [
  'latency',
  'error-rate',
  'login-failure',
  'slow-image',
  'hang',
  'crash',
  'cpu-burn',
  'memory-hog',
  'event-loop-block',
  'slow-db',
] as const;
export type AppFaultKind = (typeof APP_FAULT_KINDS)[number];

/** How a crashed app comes back when the fault is rolled back. */
export type RestartSpec = { stack: true } | { shell: string; timeoutMs?: number };

export interface AppFaultSpec {
  type: 'app';
  kind: AppFaultKind;
  /**
   * Kind-specific parameters sent with the fault (`latencyMs`, `rate`, `status`, `route`, `delayMs`,
   * `afterMs`, `threads`, `mb`, `blockMs`, `everyMs`).
   */
  params: Record<string, string | number | boolean>;
  /** The fault expires by itself after this long, even if firedrill dies. */
  ttl: Duration;
  /** For `crash`: how the app is started again on rollback. */
  restart?: RestartSpec;
}

export interface BadTrafficSpec {
  type: 'bad-traffic';
  kind: 'failed-logins' | 'suspicious';
  ratePerSec: number;
  durationSec: number;
}

export interface ShellFaultSpec {
  type: 'shell';
  inject: string;
  rollback: string;
  /** Per command. @defaultValue 30000 */
  timeoutMs?: number;
}

export interface ToxicSpec {
  /** Toxiproxy toxic type: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data. */
  type: string;
  /** @defaultValue 'downstream' */
  stream?: 'upstream' | 'downstream';
  /** Share of connections affected, 0–1. @defaultValue 1 */
  toxicity?: number;
  attributes: Record<string, number>;
}

export interface ToxiproxyFaultSpec {
  type: 'toxiproxy';
  /** Name of an existing proxy on the Toxiproxy server. */
  proxy: string;
  toxic: ToxicSpec;
  /** Toxiproxy's HTTP API. @defaultValue the environment's `toxiproxyUrl`, else http://127.0.0.1:8474 */
  apiUrl?: string;
}

export interface InjectAlertSpec {
  type: 'inject-alert';
  /** Labels of the alert; `alertname` is required, the drill id is added as `drill_id`. */
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** `endsAt` = injection time + this, so Alertmanager resolves it by itself. */
  endsAfter: Duration;
}

export interface GrafanaTestNotificationSpec {
  type: 'grafana-test-notification';
  /** Contact points to notify; `uid` of an existing one lets Grafana use its stored secrets. */
  receivers: { name: string; uid?: string; type: string; settings: Record<string, unknown> }[];
  /** @defaultValue 'FiredrillRoutingTest' */
  alertname?: string;
  /** Labels of the test alert, e.g. the severity a notification policy routes on. */
  labels?: Record<string, string>;
}

export type FaultSpec =
  | AppFaultSpec
  | BadTrafficSpec
  | ShellFaultSpec
  | ToxiproxyFaultSpec
  | InjectAlertSpec
  | GrafanaTestNotificationSpec;

/** Where faults go, resolved from the environment. */
export interface FaultTarget {
  /** The app under test. */
  baseUrl: string;
  /** The environment's name: errors say where a refused backend is configured. */
  environment?: string;
  /** Relative TLS files of the connections are read from here. */
  root?: string;
  faultToken?: string;
  /** The app's fault endpoint, when it is not `baseUrl` with `faultToken`. */
  faultEndpoint?: Connection;
  alertmanager?: Connection;
  toxiproxyUrl?: string;
  grafana?: GrafanaConnection;
}

/** What a fault needs at inject and rollback time. */
export interface FaultContext {
  target: FaultTarget;
  drillId: string;
  /** Unique per drill run; prefix of every request id the fault sends. */
  runId: string;
  signal: AbortSignal;
  logger: Logger;
  /** Records a request id the fault sent, so log verifiers find its entries. */
  recordRequestId(id: string): void;
  /** Starts stack components again (the crash fault's `restart: { stack: true }`). */
  restartStack?(components: string[]): Promise<void>;
  fetch?: typeof fetch;
}

/** What an injected fault left behind: serializable, so a journal can undo it after a crash. */
export interface InjectedFault {
  type: FaultSpec['type'];
  /** URL (or command) the fault was applied to. */
  target: string;
  /** Ids the target gave the fault (app fault ids, toxic names, alert fingerprints). */
  ids: string[];
  /** Epoch ms. */
  injectedAt: number;
  /** Epoch ms when the fault expires by itself, if it does. */
  expiresAt?: number;
  detail?: Record<string, unknown>;
}

export interface RollbackOutcome {
  /** False when the fault had already expired or been removed: nothing to undo. */
  cleared: boolean;
  detail?: string;
}

/** One interface for every fault kind; one file per kind. */
export interface Fault {
  readonly spec: FaultSpec;
  /** One line for reports and the journal listing. */
  describe(): string;
  inject(ctx: FaultContext): Promise<InjectedFault>;
  /**
   * Undoes the fault. Idempotent; `injected` is absent when firedrill died between writing the
   * journal and hearing back from the target, and the fault must then be undone without ids.
   */
  rollback(ctx: FaultContext, injected?: InjectedFault): Promise<RollbackOutcome>;
}

/** A fault that failed with a reason worth showing as is (HTTP status, command exit). */
export class FaultError extends Error {
  override name = 'FaultError';
}
