import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { HttpError } from './errors.ts';
import { FAULT_KINDS, type FaultKind, type Metrics } from './metrics.ts';
import {
  dbFaultHook,
  RESOURCE_FAULT_KINDS,
  type ResourceEffect,
  type ResourceFaultKind,
  type ResourceFaultParams,
  startResourceEffect,
} from './resource-faults.ts';

/** Parameters per kind, after validation and defaults (see routes/faults.ts for the schema). */
export interface FaultParamsByKind extends ResourceFaultParams {
  latency: { latencyMs: number; route?: string };
  'error-rate': { rate: number; status: number; route?: string };
  'login-failure': Record<string, never>;
  'slow-image': { delayMs: number };
  hang: { route?: string };
  crash: { afterMs: number };
}

export type FaultSpec = {
  [K in FaultKind]: { kind: K; ttlSeconds: number; params: FaultParamsByKind[K] };
}[FaultKind];

/** What the fault endpoint returns and lists. */
export interface FaultView {
  id: string;
  kind: FaultKind;
  params: FaultSpec['params'];
  createdAt: string;
  expiresAt: string;
}

interface ActiveFault extends FaultView {
  expiresAtMs: number;
  timer: NodeJS.Timeout;
  /** Settles when the fault ends, however it ends; hung requests wait on it. */
  ended: Promise<void>;
  end: () => void;
  /** Resource faults only: the threads, memory or timers that make the fault real. */
  effect?: ResourceEffect;
}

const isResourceKind = (kind: FaultKind): kind is ResourceFaultKind =>
  (RESOURCE_FAULT_KINDS as readonly string[]).includes(kind);

/** Routes no fault ever touches: the fault endpoint itself, and what tells an operator the truth. */
export const EXEMPT_ROUTES = new Set(['/healthz', '/metrics', '/__faults', '/__faults/:id']);

export class InjectedFaultError extends HttpError {
  override name = 'InjectedFaultError';
}

/**
 * Active faults with their TTLs. A fault ends by timer, by an explicit clear or at shutdown; every
 * read also drops faults past their expiry, so a late timer never lets an expired fault apply.
 */
export class FaultRegistry {
  private readonly faults = new Map<string, ActiveFault>();
  private readonly shutdownController = new AbortController();
  /** Effects still winding down (workers terminating). */
  private readonly stopping = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly exit: (code: number) => void,
  ) {}

  /** Aborted at shutdown, so injected delays do not hold the process open. */
  get shutdownSignal(): AbortSignal {
    return this.shutdownController.signal;
  }

  inject(spec: FaultSpec): FaultView {
    const now = Date.now();
    const expiresAtMs = now + spec.ttlSeconds * 1000;
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const id = randomUUID();
    const fault: ActiveFault = {
      id,
      kind: spec.kind,
      params: spec.params,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAtMs).toISOString(),
      expiresAtMs,
      timer: setTimeout(() => this.remove(id, 'fault_expired'), spec.ttlSeconds * 1000).unref(),
      ended,
      end,
    };
    if (isResourceKind(spec.kind)) {
      fault.effect = startResourceEffect(
        spec.kind,
        spec.params as ResourceFaultParams[ResourceFaultKind],
        expiresAtMs,
      );
    }
    this.faults.set(id, fault);
    this.updateGauge();
    this.logger.warn(
      { event: 'fault_injected', ...logFields(fault), ttl_seconds: spec.ttlSeconds },
      `fault injected: ${fault.kind}`,
    );
    return view(fault);
  }

  /**
   * Resolves once the fault is in effect (its memory held, its threads spinning); a fault that
   * cannot take effect is removed and the reason thrown, so the endpoint never reports a fault
   * that is not there.
   */
  async started(id: string): Promise<void> {
    const fault = this.faults.get(id);
    if (!fault?.effect) return;
    try {
      await fault.effect.ready;
    } catch (err) {
      this.logger.error(
        { event: 'fault_failed', ...logFields(fault), err: (err as Error).message },
        `fault failed to start: ${fault.kind}`,
      );
      this.remove(id, 'fault_cleared', 'failed to start');
      throw err;
    }
  }

  list(): FaultView[] {
    return this.live().map(view);
  }

  clear(id: string): boolean {
    this.expireDue();
    return this.remove(id, 'fault_cleared');
  }

  clearAll(): number {
    const ids = this.live().map((f) => f.id);
    for (const id of ids) this.remove(id, 'fault_cleared');
    return ids.length;
  }

  /** Active faults of `kind` that apply to a request on `route` (a route template). */
  matching<K extends FaultKind>(kind: K, route?: string): (FaultView & { params: FaultParamsByKind[K] })[] {
    return this.live().filter((fault): fault is ActiveFault & { params: FaultParamsByKind[K] } => {
      if (fault.kind !== kind) return false;
      if (route === undefined) return true;
      const target = (fault.params as { route?: string }).route;
      return target === undefined ? route.startsWith('/api/') : target === route;
    });
  }

  /** Resolves once every removed fault's effect has stopped: a cleared fault's threads and memory are gone. */
  async effectsStopped(): Promise<void> {
    await Promise.all([...this.stopping]);
  }

  /** Resolves when the fault with this id has ended (immediately if it is gone already). */
  ended(id: string): Promise<void> {
    return this.faults.get(id)?.ended ?? Promise.resolve();
  }

  /** Ends the process as a crash fault demands: a fatal line first, then exit code 1. */
  crash(fault: FaultView): void {
    this.logger.fatal({ event: 'fault_crash', ...logFields(fault) }, 'crash fault: exiting with code 1');
    this.exit(1);
  }

  shutdown(): void {
    for (const id of [...this.faults.keys()]) this.remove(id, 'fault_cleared', 'shutdown');
    this.shutdownController.abort();
  }

  private live(): ActiveFault[] {
    this.expireDue();
    return [...this.faults.values()];
  }

  private expireDue(): void {
    const now = Date.now();
    for (const fault of [...this.faults.values()]) {
      if (fault.expiresAtMs <= now) this.remove(fault.id, 'fault_expired');
    }
  }

  private remove(id: string, event: 'fault_cleared' | 'fault_expired', reason?: string): boolean {
    const fault = this.faults.get(id);
    if (!fault) return false;
    this.faults.delete(id);
    clearTimeout(fault.timer);
    fault.end();
    if (fault.effect) {
      const stopped = fault.effect
        .stop()
        .catch((err: unknown) =>
          this.logger.error(
            { event: 'fault_stop_failed', ...logFields(fault), err: (err as Error).message },
            `fault did not stop cleanly: ${fault.kind}`,
          ),
        )
        .finally(() => this.stopping.delete(stopped));
      this.stopping.add(stopped);
    }
    this.updateGauge();
    const verb = event === 'fault_expired' ? 'expired' : 'cleared';
    this.logger.info(
      { event, ...logFields(fault), ...(reason ? { reason } : {}) },
      `fault ${verb}: ${fault.kind}`,
    );
    return true;
  }

  private updateGauge(): void {
    for (const kind of FAULT_KINDS) {
      let count = 0;
      for (const fault of this.faults.values()) if (fault.kind === kind) count++;
      this.metrics.faultsActive.set({ kind }, count);
    }
  }
}

function view(fault: FaultView): FaultView {
  const { id, kind, params, createdAt, expiresAt } = fault;
  return { id, kind, params, createdAt, expiresAt };
}

function logFields(fault: FaultView): Record<string, unknown> {
  return {
    fault_id: fault.id,
    fault_kind: fault.kind,
    fault_params: fault.params,
    expires_at: fault.expiresAt,
  };
}

/**
 * onRequest hook applying request faults in the order a broken dependency would show them: a hang
 * first (nothing else happens until it ends), then added latency, then a chance of a 5xx.
 */
export function applyRequestFaults(registry: FaultRegistry) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const route = request.routeOptions.url;
    if (route === undefined || EXEMPT_ROUTES.has(route)) return;

    if (registry.matching('hang', route).length > 0) {
      const stillWanted = await holdWhileHung(registry, route, request, reply);
      if (!stillWanted) return;
    }

    const latency = registry.matching('latency', route);
    const delayMs = latency.reduce((sum, f) => sum + f.params.latencyMs, 0);
    if (delayMs > 0) {
      request.log.debug(
        { event: 'fault_applied', fault_kind: 'latency', delay_ms: delayMs },
        'latency fault',
      );
      await sleep(delayMs, undefined, { signal: registry.shutdownSignal }).catch(() => {});
    }

    for (const fault of registry.matching('error-rate', route)) {
      if (Math.random() < fault.params.rate) {
        throw new InjectedFaultError(
          fault.params.status,
          'injected_fault',
          `injected error-rate fault ${fault.id}`,
          {
            fault_id: fault.id,
            fault_kind: fault.kind,
          },
        );
      }
    }
  };
}

/** preHandler hook: requests wait for a slow database before their first query (resource-faults.ts). */
export function applyDbFaults(registry: FaultRegistry) {
  return dbFaultHook(
    (route) => registry.matching('slow-db', route).reduce((sum, f) => sum + f.params.delayMs, 0),
    registry.shutdownSignal,
  );
}

/** Waits until no hang fault matches; false when the client gave up meanwhile. */
async function holdWhileHung(
  registry: FaultRegistry,
  route: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  let clientGone = false;
  const gone = new Promise<void>((resolve) => {
    reply.raw.once('close', () => {
      clientGone = !reply.raw.writableFinished;
      resolve();
    });
  });
  for (
    let hang = registry.matching('hang', route)[0];
    hang && !clientGone;
    hang = registry.matching('hang', route)[0]
  ) {
    request.log.warn(
      { event: 'fault_applied', fault_id: hang.id, fault_kind: 'hang' },
      'request held by hang fault',
    );
    await Promise.race([registry.ended(hang.id), gone]);
  }
  return !clientGone;
}
