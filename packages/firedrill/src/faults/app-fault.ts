import { z } from 'zod';
import { type HttpClientOptions, HttpStatusError, requestJson } from '../clients/http-types.ts';
import { BACKEND_NAMES, backendTarget } from '../connections/backends.ts';
import { type Duration, durationMs, parseDuration } from '../core/duration.ts';
import { defineFaultKind } from './kind.ts';
import { runChecked } from './shell.ts';
import type { Fault, FaultContext, InjectedFault, RollbackOutcome } from './types.ts';

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

const restart = z.union([
  z.strictObject({ stack: z.literal(true) }),
  z.strictObject({ shell: z.string().min(1), timeoutMs: z.number().int().positive().optional() }),
]);
/** How a crashed app comes back when the fault is rolled back. */
export type RestartSpec = z.input<typeof restart>;

const schema = z.strictObject({
  type: z.literal('app'),
  kind: z.enum(APP_FAULT_KINDS),
  /**
   * Kind-specific parameters sent with the fault (`latencyMs`, `rate`, `status`, `route`, `delayMs`,
   * `afterMs`, `threads`, `mb`, `blockMs`, `everyMs`).
   */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** The fault expires by itself after this long, even if firedrill dies. */
  ttl: durationMs,
  /** For `crash`: how the app is started again on rollback. */
  restart: restart.optional(),
});

/** As a drill file writes it. */
export type AppFaultSpec = z.input<typeof schema>;

export const appFaultKind = defineFaultKind({
  type: 'app',
  builder: 'appFault',
  schema,
  create: (spec) => createAppFault(spec),
});

type KindParams = {
  latency: { latencyMs: number; route?: string };
  'error-rate': { rate: number; status?: number; route?: string };
  'login-failure': Record<never, never>;
  'slow-image': { delayMs: number };
  hang: Record<never, never>;
  crash: { afterMs?: number };
  /** Worker threads spinning (1–4, default 2): process CPU rises, the event loop stays free. */
  'cpu-burn': { threads?: number };
  /** MiB allocated and touched, so resident memory really grows; freed on rollback. */
  'memory-hog': { mb: number };
  /** The event loop stalls `blockMs` every `everyMs`; keep `blockMs` under the scrape timeout. */
  'event-loop-block': { blockMs: number; everyMs: number };
  /** API requests wait `delayMs` for the database, counted in `db_query_duration_seconds`. */
  'slow-db': { delayMs: number; route?: string };
};

export type AppFaultOptions = {
  [K in AppFaultKind]: { kind: K; ttl: Duration; restart?: RestartSpec } & KindParams[K];
}[AppFaultKind];

/**
 * A fault the reference app applies to itself through `POST /__faults`. Always with a TTL, so
 * it expires by itself even if firedrill is killed.
 * @example appFault({ kind: 'error-rate', rate: 1, status: 500, ttl: '60s' })
 * @example appFault({ kind: 'crash', ttl: '60s', restart: { stack: true } })
 * @example appFault({ kind: 'cpu-burn', threads: 2, ttl: '60s' })
 */
export function appFault(opts: AppFaultOptions): AppFaultSpec {
  const { kind, ttl, restart, ...params } = opts;
  return {
    type: 'app',
    kind,
    ttl,
    params: params as AppFaultSpec['params'],
    ...(restart ? { restart } : {}),
  };
}

export interface CreatedFault {
  id: string;
  kind: string;
  expiresAt: string;
}

const HEALTH_WAIT_MS = 30_000;
// The endpoint answers a resource fault once it is in effect: a memory-hog touches every page it
// holds first, which takes seconds for a GiB on a busy machine.
const INJECT_TIMEOUT_MS = 30_000;

function http(ctx: FaultContext, timeoutMs = 5_000): HttpClientOptions {
  return {
    baseUrl: ctx.target.baseUrl,
    ...(ctx.target.faultToken ? { token: ctx.target.faultToken } : {}),
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    timeoutMs,
  };
}

/** The fault endpoint: its own connection when configured, else the app with the fault token. */
function faultsHttp(ctx: FaultContext, timeoutMs = 5_000): HttpClientOptions {
  const conn = ctx.target.faultEndpoint;
  if (!conn) return { ...http(ctx, timeoutMs), backend: { name: BACKEND_NAMES.faultEndpoint } };
  const target = backendTarget('faultEndpoint', conn, ctx.target);
  return {
    ...target,
    headers: {
      ...(ctx.target.faultToken && !target.headers.authorization
        ? { authorization: `Bearer ${ctx.target.faultToken}` }
        : {}),
      ...target.headers,
    },
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    timeoutMs,
  };
}

/** The faults the app has in effect now, whoever injected them (`GET /__faults`). */
export async function activeAppFaults(ctx: FaultContext): Promise<CreatedFault[]> {
  return (await requestJson<{ faults: CreatedFault[] }>(faultsHttp(ctx), '/__faults')).faults;
}

/** Polls `/healthz` until the app answers 2xx (after a restart). */
async function waitHealthy(ctx: FaultContext, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = 'not tried';
  while (Date.now() - started < timeoutMs) {
    try {
      await requestJson(http(ctx), '/healthz');
      return Date.now() - started;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`app not healthy ${timeoutMs} ms after restart: ${last}`);
}

async function restartApp(ctx: FaultContext, restart: RestartSpec): Promise<string> {
  if ('stack' in restart) {
    if (!ctx.restartStack) throw new Error('restart: { stack: true } needs a local-stack environment');
    await ctx.restartStack(['demo-app']);
  } else {
    await runChecked(restart.shell, restart.timeoutMs ?? 60_000);
  }
  const ms = await waitHealthy(ctx, HEALTH_WAIT_MS);
  return `app restarted, healthy after ${ms} ms`;
}

export function createAppFault(spec: AppFaultSpec): Fault {
  const ttlMs = parseDuration(spec.ttl);
  return {
    spec,
    describe() {
      const p = Object.entries(spec.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `app fault ${spec.kind}${p ? ` ${p}` : ''} (ttl ${Math.round(ttlMs / 1000)}s)`;
    },
    async inject(ctx: FaultContext): Promise<InjectedFault> {
      // The endpoint takes whole seconds; rounding up keeps a sub-second TTL from meaning "none".
      const body = { kind: spec.kind, ttlSeconds: Math.max(1, Math.ceil(ttlMs / 1000)), ...spec.params };
      const requestId = `${ctx.runId}-fault-${spec.kind}`;
      ctx.recordRequestId(requestId);
      // The app starts applying the fault on receipt; a memory-hog answers only once its memory is
      // held, and an alert can fire (and notify) before that answer arrives.
      const sentAt = Date.now();
      const created = await requestJson<CreatedFault>(faultsHttp(ctx, INJECT_TIMEOUT_MS), '/__faults', {
        method: 'POST',
        body,
        signal: ctx.signal,
        headers: { 'x-request-id': requestId },
      });
      return {
        type: 'app',
        target: ctx.target.baseUrl,
        ids: [created.id],
        injectedAt: sentAt,
        expiresAt: Date.parse(created.expiresAt),
        detail: { kind: created.kind },
      };
    },
    async rollback(ctx: FaultContext, injected?: InjectedFault): Promise<RollbackOutcome> {
      if (spec.kind === 'crash') {
        if (!spec.restart)
          return { cleared: false, detail: 'crash fault without restart: start the app yourself' };
        return { cleared: true, detail: await restartApp(ctx, spec.restart) };
      }
      // Without ids (died before the endpoint answered) clear them all; the per-target lock
      // guarantees no other drill's fault lives on this app.
      const paths = injected?.ids.length
        ? injected.ids.map((id) => `/__faults/${encodeURIComponent(id)}`)
        : ['/__faults'];
      let cleared = false;
      for (const path of paths) {
        try {
          await requestJson(faultsHttp(ctx), path, { method: 'DELETE' });
          cleared = true;
        } catch (err) {
          // 404: the fault already expired by its TTL; nothing left to undo.
          if (err instanceof HttpStatusError && err.status === 404) continue;
          throw err;
        }
      }
      return { cleared, detail: cleared ? `deleted ${paths.join(', ')}` : 'already expired' };
    },
  };
}
