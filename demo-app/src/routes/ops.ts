import type { FastifyInstance } from 'fastify';
import type { Db } from '../db.ts';
import type { FaultRegistry } from '../faults.ts';
import type { Metrics } from '../metrics.ts';

/** Liveness, readiness and the Prometheus scrape endpoint. */
export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { db: Db; faults: FaultRegistry; metrics: Metrics },
): void {
  const { db, faults, metrics } = deps;

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Not ready while the DB does not answer or a hang fault holds API requests: a load balancer
  // should stop sending traffic that would never be answered.
  app.get('/readyz', async (_request, reply) => {
    const checks = {
      db: db.ping() ? 'ok' : 'failing',
      faults: faults.matching('hang').length > 0 ? 'hang fault active' : 'ok',
    };
    const ready = checks.db === 'ok' && checks.faults === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
