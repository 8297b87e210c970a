import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createToxiproxyFault,
  toxicName,
  toxiproxy,
} from '../../../packages/firedrill/src/faults/toxiproxy.ts';
import type { FaultContext } from '../../../packages/firedrill/src/faults/types.ts';

// Toxiproxy is neither a Debian package nor on npm as a server, so it cannot run here: this is a
// fake of its documented REST API (README "HTTP API": GET /proxies/{proxy},
// POST /proxies/{proxy} {enabled}, POST /proxies/{proxy}/toxics, GET/DELETE
// /proxies/{proxy}/toxics/{toxic}; 404 with {"error":"...","status":404} for unknown names),
// with response bodies in the shapes that section shows.
interface Toxic {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number>;
}
const proxy = {
  name: 'postgres',
  listen: '127.0.0.1:25432',
  upstream: '127.0.0.1:5432',
  enabled: true,
  toxics: [] as Toxic[],
};
const log: string[] = [];
let server: Server;
let apiUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      log.push(`${req.method} ${req.url}`);
      const send = (status: number, obj: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const notFound = (what: string) => send(404, { error: `${what} not found`, status: 404 });
      const m = /^\/proxies\/([^/]+)(?:\/toxics(?:\/([^/]+))?)?$/.exec(req.url ?? '');
      if (!m || m[1] !== proxy.name) return notFound('proxy');
      const [, , toxic] = m;
      const isToxics = req.url!.includes('/toxics');
      if (!isToxics && req.method === 'GET') return send(200, proxy);
      if (!isToxics && req.method === 'POST') {
        proxy.enabled = JSON.parse(body).enabled;
        return send(200, proxy);
      }
      if (isToxics && !toxic && req.method === 'POST') {
        const t = JSON.parse(body) as Toxic;
        if (proxy.toxics.some((x) => x.name === t.name))
          return send(409, { error: 'toxic already exists', status: 409 });
        proxy.toxics.push(t);
        return send(200, t);
      }
      const found = proxy.toxics.find((t) => t.name === toxic);
      if (!found) return notFound('toxic');
      if (req.method === 'GET') return send(200, found);
      if (req.method === 'DELETE') {
        proxy.toxics = proxy.toxics.filter((t) => t !== found);
        res.writeHead(204);
        return res.end();
      }
      send(405, { error: 'method not allowed', status: 405 });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ctx = (): FaultContext => ({
  target: { baseUrl: 'http://127.0.0.1:9', toxiproxyUrl: apiUrl },
  drillId: 'd',
  runId: 'd-77aa',
  signal: new AbortController().signal,
  logger: pino({ enabled: false }),
  recordRequestId: () => {},
});

describe('toxiproxy fault (against a fake of its REST API)', () => {
  it('adds a latency toxic named after the run and removes it, idempotently', async () => {
    const f = createToxiproxyFault(
      toxiproxy({ proxy: 'postgres', toxic: { type: 'latency', attributes: { latency: 800, jitter: 0 } } }),
    );
    expect(f.describe()).toBe('toxiproxy: latency latency=800 jitter=0 on postgres');
    const injected = await f.inject(ctx());
    expect(injected.ids).toEqual([toxicName('d-77aa')]);
    expect(proxy.toxics).toEqual([
      {
        name: 'firedrill-d-77aa',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 800, jitter: 0 },
      },
    ]);
    expect(await f.rollback(ctx(), injected)).toEqual({
      cleared: true,
      detail: 'removed toxic firedrill-d-77aa from postgres',
    });
    expect(proxy.toxics).toEqual([]);
    expect(await f.rollback(ctx(), injected)).toEqual({
      cleared: false,
      detail: 'toxic firedrill-d-77aa already gone',
    });
  });

  it('"down" disables the proxy and enables it again', async () => {
    const f = createToxiproxyFault(toxiproxy({ proxy: 'postgres', toxic: { type: 'down', attributes: {} } }));
    await f.inject(ctx());
    expect(proxy.enabled).toBe(false);
    expect((await f.rollback(ctx())).detail).toBe('re-enabled proxy postgres');
    expect(proxy.enabled).toBe(true);
  });

  it('fails clearly for an unknown proxy', async () => {
    const f = createToxiproxyFault(
      toxiproxy({ proxy: 'nope', apiUrl, toxic: { type: 'latency', attributes: { latency: 1 } } }),
    );
    await expect(f.inject(ctx())).rejects.toThrow(/404/);
  });
});
