import { z } from 'zod';
import { defineFaultKind } from './kind.ts';
import type { Fault, FaultContext, InjectedFault, RollbackOutcome } from './types.ts';

const schema = z.strictObject({
  type: z.literal('bad-traffic'),
  kind: z.enum(['failed-logins', 'suspicious']),
  ratePerSec: z.number().positive().max(200, 'at most 200 per second'),
  durationSec: z.number().positive().max(600, 'at most 600 seconds'),
});

/** As a drill file writes it. */
export type BadTrafficSpec = z.input<typeof schema>;

export const badTrafficKind = defineFaultKind({
  type: 'bad-traffic',
  builder: 'badTraffic',
  schema,
  create: (spec) => createBadTrafficFault(spec),
});

/**
 * Synthetic bad traffic that firedrill sends itself: failed logins or requests the app flags
 * as suspicious. Bounded in count and time; every request carries an `X-Request-ID` the drill
 * records, so its log entries can be found.
 * @example badTraffic({ kind: 'failed-logins', ratePerSec: 10, durationSec: 15 })
 */
export function badTraffic(opts: Omit<BadTrafficSpec, 'type'>): BadTrafficSpec {
  return { type: 'bad-traffic', ...opts };
}

/** Hard ceilings whatever the spec says: a drill is a test, not a load generator. */
export const BAD_TRAFFIC_LIMITS = {
  maxRatePerSec: 200,
  maxDurationSec: 600,
  maxRequests: 10_000,
  maxInFlight: 16,
};

interface BadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

// Patterns the reference app's suspicious-request detector rejects with 4xx: path traversal,
// SQL injection and script injection, one of each in turn.
const SUSPICIOUS: BadRequest[] = [
  { method: 'GET', path: '/api/items?q=..%2F..%2Fetc%2Fpasswd' },
  { method: 'GET', path: '/api/items?q=%27%20OR%20%271%27%3D%271' },
  { method: 'GET', path: '/api/items?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E' },
];

export function badRequest(kind: BadTrafficSpec['kind'], n: number): BadRequest {
  if (kind === 'failed-logins') {
    return {
      method: 'POST',
      path: '/api/login',
      body: { username: 'demo', password: `firedrill-wrong-${n}` },
    };
  }
  return SUSPICIOUS[n % SUSPICIOUS.length]!;
}

export interface TrafficTally {
  sent: number;
  byStatus: Record<string, number>;
  errors: number;
}

export function createBadTrafficFault(spec: BadTrafficSpec): Fault {
  const ratePerSec = Math.min(spec.ratePerSec, BAD_TRAFFIC_LIMITS.maxRatePerSec);
  const durationMs = Math.min(spec.durationSec, BAD_TRAFFIC_LIMITS.maxDurationSec) * 1000;
  const total = Math.min(Math.ceil((ratePerSec * durationMs) / 1000), BAD_TRAFFIC_LIMITS.maxRequests);
  let stop: AbortController | undefined;
  let done: Promise<void> | undefined;
  const tally: TrafficTally = { sent: 0, byStatus: {}, errors: 0 };

  async function loop(ctx: FaultContext, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    const doFetch = ctx.fetch ?? fetch;
    for (let n = 0; n < total && !signal.aborted; n++) {
      // Paced against the start time, not the previous request, so slow answers don't lower the rate.
      const due = started + (n * 1000) / ratePerSec;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // A second of grace for timers that fire late on a loaded machine; the count cap still holds.
      if (signal.aborted || Date.now() - started > durationMs + 1000) break;
      while (inFlight.size >= BAD_TRAFFIC_LIMITS.maxInFlight) await Promise.race(inFlight);
      const req = badRequest(spec.kind, n);
      const id = `${ctx.runId}-bad-${n}`;
      ctx.recordRequestId(id);
      tally.sent++;
      const p = doFetch(new URL(req.path, ctx.target.baseUrl), {
        method: req.method,
        headers: { 'x-request-id': id, ...(req.body ? { 'content-type': 'application/json' } : {}) },
        ...(req.body ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(5_000),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
        })
        .catch(() => {
          tally.errors++;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.allSettled(inFlight);
  }

  return {
    spec,
    describe: () =>
      `bad traffic ${spec.kind}: ${ratePerSec}/s for ${durationMs / 1000}s (${total} requests max)`,
    async inject(ctx: FaultContext): Promise<InjectedFault> {
      stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, ctx.signal]);
      const injectedAt = Date.now();
      done = loop(ctx, signal);
      return {
        type: 'bad-traffic',
        target: ctx.target.baseUrl,
        ids: [],
        injectedAt,
        expiresAt: injectedAt + durationMs,
        detail: { kind: spec.kind, ratePerSec, total },
      };
    },
    async rollback(): Promise<RollbackOutcome> {
      // Traffic lives in this process only: after a crash there is nothing left to stop.
      if (!stop) return { cleared: false, detail: 'no traffic running in this process' };
      stop.abort();
      await done;
      const statuses = Object.entries(tally.byStatus)
        .map(([s, c]) => `${c}×${s}`)
        .join(', ');
      return {
        cleared: true,
        detail: `stopped after ${tally.sent} requests (${statuses || 'no answers'}, ${tally.errors} errors)`,
      };
    },
  };
}
