import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, notFound, validationError } from '../errors.ts';
import { EXEMPT_ROUTES, type FaultRegistry, type FaultSpec } from '../faults.ts';
import { FAULT_KINDS } from '../metrics.ts';

const integerBetween = (min: number, max: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
    .int('must be an integer')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);

function faultSchema(knownRoutes: ReadonlySet<string>) {
  const ttlSeconds = integerBetween(1, 3600);
  const route = z
    .string({ error: 'must be a string' })
    .refine((r) => !EXEMPT_ROUTES.has(r), 'this route is never affected by faults')
    .refine((r) => knownRoutes.has(r), {
      error: (issue) => `unknown route template "${String(issue.input)}"`,
    })
    .optional();
  return z.discriminatedUnion(
    'kind',
    [
      z.strictObject({
        kind: z.literal('latency'),
        ttlSeconds,
        latencyMs: integerBetween(1, 120_000),
        route,
      }),
      z.strictObject({
        kind: z.literal('error-rate'),
        ttlSeconds,
        rate: z
          .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
          .gt(0, 'must be greater than 0 and at most 1')
          .max(1, 'must be greater than 0 and at most 1'),
        status: integerBetween(500, 599).default(500),
        route,
      }),
      z.strictObject({ kind: z.literal('login-failure'), ttlSeconds }),
      z.strictObject({ kind: z.literal('slow-image'), ttlSeconds, delayMs: integerBetween(1, 120_000) }),
      z.strictObject({ kind: z.literal('hang'), ttlSeconds, route }),
      z.strictObject({ kind: z.literal('cpu-burn'), ttlSeconds, threads: integerBetween(1, 4).default(2) }),
      z.strictObject({ kind: z.literal('memory-hog'), ttlSeconds, mb: integerBetween(1, 2048) }),
      z
        .strictObject({
          kind: z.literal('event-loop-block'),
          ttlSeconds,
          // Keep it under Prometheus' scrape timeout, or the stalled scrape reads as the app being down.
          blockMs: integerBetween(1, 2000),
          everyMs: integerBetween(100, 10_000),
        })
        .refine((f) => f.blockMs < f.everyMs, {
          path: ['blockMs'],
          error: 'must be less than everyMs: the event loop needs time between stalls',
        }),
      z.strictObject({ kind: z.literal('slow-db'), ttlSeconds, delayMs: integerBetween(1, 60_000), route }),
      // The process is gone before any TTL could matter, so a crash fault does not need one.
      z.strictObject({
        kind: z.literal('crash'),
        ttlSeconds: ttlSeconds.default(60),
        afterMs: integerBetween(0, 60_000).default(0),
      }),
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `must be one of ${FAULT_KINDS.join(', ')}`
          : issue.code === 'invalid_type'
            ? 'request body must be a JSON object'
            : undefined,
    },
  );
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Loopback check first (a remote caller learns nothing about auth), then the bearer token. */
function guard(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest): Promise<void> => {
    const remote = request.socket.remoteAddress ?? '';
    if (!LOOPBACK.test(remote)) {
      request.log.warn(
        { event: 'fault_access_denied', remote_address: remote },
        'fault endpoint: non-loopback client',
      );
      throw new HttpError(403, 'forbidden', 'the fault endpoint only accepts loopback clients');
    }
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Comparing fixed-length digests keeps the comparison constant-time whatever the input length.
    if (!given || !timingSafeEqual(digest(given), expected)) {
      throw new HttpError(401, 'unauthorized', 'the fault endpoint requires a valid bearer token');
    }
  };
}

/** Registers `/__faults`; only called when a fault token is configured, so otherwise it is a 404. */
export function registerFaultRoutes(
  app: FastifyInstance,
  registry: FaultRegistry,
  token: string,
  knownRoutes: ReadonlySet<string>,
): void {
  const schema = faultSchema(knownRoutes);
  app.register(async (scope) => {
    scope.addHook('onRequest', guard(token));

    scope.post('/__faults', async (request, reply) => {
      const parsed = schema.safeParse(request.body ?? {});
      if (!parsed.success) throw validationError(parsed.error);
      const { kind, ttlSeconds, ...params } = parsed.data;
      const fault = registry.inject({ kind, ttlSeconds, params } as FaultSpec);
      try {
        await registry.started(fault.id);
      } catch (err) {
        throw new HttpError(
          500,
          'fault_failed',
          `${fault.kind} fault did not start: ${(err as Error).message}`,
        );
      }
      if (fault.kind === 'crash') {
        const { afterMs } = fault.params as { afterMs: number };
        // Exit only once the 201 is on the wire, so the drill knows its injection landed.
        reply.raw.once('finish', () => setTimeout(() => registry.crash(fault), afterMs));
      }
      return reply.code(201).send(fault);
    });

    scope.get('/__faults', async () => ({ faults: registry.list() }));

    // Both answer once the cleared faults' threads and memory are gone, so "cleared" means gone.
    scope.delete('/__faults', async () => {
      const cleared = registry.clearAll();
      await registry.effectsStopped();
      return { cleared };
    });

    scope.delete<{ Params: { id: string } }>('/__faults/:id', async (request, reply) => {
      if (!registry.clear(request.params.id)) throw notFound('fault');
      await registry.effectsStopped();
      return reply.code(204).send();
    });
  });
}
