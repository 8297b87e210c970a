import { type ToxicDirection, type ToxicType, Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { defineFaultKind } from './kind.ts';
import type { Fault, FaultContext, InjectedFault, RollbackOutcome } from './types.ts';

const DEFAULT_API = 'http://127.0.0.1:8474';

const toxic = z.strictObject({
  /** Toxiproxy toxic type: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, or `down`. */
  type: z.string().min(1),
  /** @defaultValue 'downstream' */
  stream: z.enum(['upstream', 'downstream']).optional(),
  /** Share of connections affected, 0–1. @defaultValue 1 */
  toxicity: z.number().min(0).max(1).optional(),
  attributes: z.record(z.string(), z.number()),
});
export type ToxicSpec = z.input<typeof toxic>;

const schema = z.strictObject({
  type: z.literal('toxiproxy'),
  /** Name of an existing proxy on the Toxiproxy server. */
  proxy: z.string().min(1),
  toxic,
  /** Toxiproxy's HTTP API. @defaultValue the environment's `toxiproxyUrl`, else http://127.0.0.1:8474 */
  apiUrl: z.url().optional(),
});

/** As a drill file writes it. */
export type ToxiproxyFaultSpec = z.input<typeof schema>;

export const toxiproxyKind = defineFaultKind({
  type: 'toxiproxy',
  builder: 'toxiproxy',
  schema,
  create: (spec) => createToxiproxyFault(spec),
  lockTarget: (spec, target) => `${spec.apiUrl ?? target.toxiproxyUrl ?? 'toxiproxy'}#${spec.proxy}`,
});

/**
 * A network fault through a Toxiproxy proxy that already sits between the app and a dependency.
 * `type: 'down'` disables the proxy instead of adding a toxic (that is how Toxiproxy models an
 * outage). Toxiproxy has no TTL: the toxic's name is derived from the run id so that
 * `firedrill rollback` can remove it after a crash without having heard back from the server.
 * @example toxiproxy({ proxy: 'postgres', toxic: { type: 'latency', attributes: { latency: 800, jitter: 0 } } })
 */
export function toxiproxy(opts: Omit<ToxiproxyFaultSpec, 'type'>): ToxiproxyFaultSpec {
  return { type: 'toxiproxy', ...opts };
}

export function toxicName(runId: string): string {
  return `firedrill-${runId}`;
}

function apiUrl(spec: ToxiproxyFaultSpec, ctx: FaultContext): string {
  return (spec.apiUrl ?? ctx.target.toxiproxyUrl ?? DEFAULT_API).replace(/\/+$/, '');
}

function isNotFound(err: unknown): boolean {
  return /status code 404/.test((err as Error).message ?? '');
}

export function createToxiproxyFault(spec: ToxiproxyFaultSpec): Fault {
  const isDown = spec.toxic.type === 'down';
  return {
    spec,
    describe() {
      const attrs = Object.entries(spec.toxic.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return isDown
        ? `toxiproxy: disable proxy ${spec.proxy}`
        : `toxiproxy: ${spec.toxic.type} ${attrs} on ${spec.proxy}`;
    },
    async inject(ctx: FaultContext): Promise<InjectedFault> {
      const host = apiUrl(spec, ctx);
      const proxy = await new Toxiproxy(host).get(spec.proxy);
      const name = toxicName(ctx.runId);
      if (isDown) {
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      } else {
        await proxy.addToxic({
          name,
          type: spec.toxic.type as ToxicType,
          stream: (spec.toxic.stream ?? 'downstream') as ToxicDirection,
          toxicity: spec.toxic.toxicity ?? 1,
          attributes: spec.toxic.attributes,
        });
      }
      return {
        type: 'toxiproxy',
        target: `${host}/proxies/${spec.proxy}`,
        ids: isDown ? [] : [name],
        injectedAt: Date.now(),
        detail: { proxy: spec.proxy, listen: proxy.listen, upstream: proxy.upstream },
      };
    },
    async rollback(ctx: FaultContext): Promise<RollbackOutcome> {
      const host = apiUrl(spec, ctx);
      const proxy = await new Toxiproxy(host).get(spec.proxy);
      if (isDown) {
        if (proxy.enabled) return { cleared: false, detail: `proxy ${spec.proxy} already enabled` };
        await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
        return { cleared: true, detail: `re-enabled proxy ${spec.proxy}` };
      }
      const name = toxicName(ctx.runId);
      try {
        await (await proxy.getToxic(name)).remove();
      } catch (err) {
        if (isNotFound(err)) return { cleared: false, detail: `toxic ${name} already gone` };
        throw err;
      }
      return { cleared: true, detail: `removed toxic ${name} from ${spec.proxy}` };
    },
  };
}
