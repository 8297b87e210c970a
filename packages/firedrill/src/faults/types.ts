import type { Logger } from 'pino';
import type { Connection, GrafanaConnection } from '../connections/schema.ts';

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
  /** The fault kind's `type`. */
  type: string;
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
  readonly spec: { type: string };
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
