import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../packages/firedrill/src/probes/http/client.ts';
import type { HttpExchangeSink, HttpHop } from '../../../packages/firedrill/src/probes/http/types.ts';
import { makeSelfSignedCert, type SelfSigned, sleep, startServer, type TestServer } from './helpers.ts';

function recordingSink() {
  let n = 0;
  const exchanges: { requestId: string; hops: HttpHop[]; error?: unknown }[] = [];
  const sink: HttpExchangeSink = {
    requestId: () => `run1-${++n}`,
    onExchange: (e) => exchanges.push(e),
  };
  return { sink, exchanges };
}

function client(baseUrl?: string, signal = new AbortController().signal) {
  const rec = recordingSink();
  return { http: createHttpClient({ baseUrl, sink: rec.sink, signal }), ...rec };
}

describe('http client over a real server', () => {
  let server: TestServer;
  const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = await startServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const u = new URL(req.url ?? '/', 'http://x');
        if (u.pathname === '/hop') {
          const left = Number(u.searchParams.get('n'));
          res.writeHead(302, { location: left > 0 ? `/hop?n=${left - 1}` : '/json' }).end();
        } else if (u.pathname === '/see-other') res.writeHead(303, { location: '/json' }).end();
        else if (u.pathname === '/loop') res.writeHead(301, { location: '/loop' }).end();
        else if (u.pathname === '/slow-body') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first ');
          setTimeout(() => res.end('last'), 200);
        } else if (u.pathname === '/hang') {
          // never answers
        } else if (u.pathname === '/big') res.end(Buffer.alloc(4096, 97));
        else
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end('{"user":{"name":"demo"},"items":[1,2]}');
      });
    });
  });
  afterAll(() => server.close());

  it('stamps X-Request-ID and a user agent, and reports the exchange with its id', async () => {
    const { http, exchanges } = client(server.url);
    const res = await http.get('/json');
    expect(res.requestId).toBe('run1-1');
    expect(server.requestIds.at(-1)).toBe('run1-1');
    expect(seen.at(-1)?.headers['user-agent']).toBe('firedrill/0.1');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.requestId).toBe('run1-1');
    expect(res.json()).toEqual({ user: { name: 'demo' }, items: [1, 2] });
  });

  it('keeps a path prefix of baseUrl and appends query parameters', async () => {
    const { http } = client(`${server.url}/prefix/`);
    await http.get('/json', { query: { a: 1, b: 'x y' } });
    expect(seen.at(-1)?.url).toBe('/prefix/json?a=1&b=x+y');
  });

  it('sends JSON bodies with a content type', async () => {
    const { http } = client(server.url);
    await http.post('/json', { json: { title: 't' } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"title":"t"}' });
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
  });

  it('follows redirects, one fresh connection per hop, phases summed as blackbox does', async () => {
    const { http } = client(server.url);
    const res = await http.get('/hop?n=2');
    expect(res.status).toBe(200);
    expect(res.redirects).toBe(3);
    expect(res.hops.map((h) => new URL(h.url).pathname + new URL(h.url).search)).toEqual([
      '/hop?n=2',
      '/hop?n=1',
      '/hop?n=0',
      '/json',
    ]);
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const) {
      const sum = res.hops.reduce((a, h) => a + h.timings[phase], 0);
      expect(res.timings[phase]).toBeCloseTo(sum, 6);
    }
    expect(res.hops.every((h) => h.timings.connect > 0)).toBe(true);
    expect(res.timings.total).toBeGreaterThanOrEqual(
      res.hops.reduce((a, h) => a + h.timings.total, 0) - 0.001,
    );
    // Every hop carries the same request id, so logs of the whole chain match one request.
    expect(server.requestIds.slice(-4)).toEqual(Array(4).fill(res.requestId));
  });

  it('turns a POST into a bodyless GET on 303', async () => {
    const { http } = client(server.url);
    const res = await http.post('/see-other', { json: { a: 1 } });
    expect(res.status).toBe(200);
    expect(res.method).toBe('GET');
    expect(seen.at(-1)).toMatchObject({ method: 'GET', body: '' });
  });

  it('does not follow when told not to', async () => {
    const { http } = client(server.url);
    const res = await http.get('/hop?n=0', { followRedirects: false });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/json');
  });

  it('stops a redirect loop', async () => {
    const { http, exchanges } = client(server.url);
    await expect(http.get('/loop', { maxRedirects: 3 })).rejects.toThrow(
      `GET ${server.url}/loop: stopped after 3 redirects`,
    );
    expect(exchanges.at(-1)?.hops).toHaveLength(4);
  });

  it('measures transfer from the first byte to the last', async () => {
    const { http } = client(server.url);
    const res = await http.get('/slow-body');
    expect(res.text()).toBe('first last');
    // 200 ms between the two writes: wide enough that a stalled test process cannot blur them.
    expect(res.timings.transfer).toBeGreaterThanOrEqual(150);
    expect(res.timings.processing).toBeLessThan(150);
  });

  it.each([
    [
      'connection refused',
      'http://127.0.0.1:1/x',
      {},
      'GET http://127.0.0.1:1/x: connect ECONNREFUSED 127.0.0.1:1',
      'http',
    ],
    ['own timeout', '/hang', { timeoutMs: 100 }, 'GET {base}/hang: timed out after 100 ms', 'timeout'],
    [
      'body limit',
      '/big',
      { maxBodyBytes: 1000 },
      'GET {base}/big: response body exceeds maxBodyBytes (1000)',
      'http',
    ],
  ])('fails with a message naming the request: %s', async (_name, url, opts, message, type) => {
    const { http, exchanges } = client(server.url);
    const err = await http.get(url, opts).catch((e: unknown) => e);
    expect((err as Error).message).toBe(message.replace('{base}', server.url));
    expect((err as { type: string }).type).toBe(type);
    expect(exchanges.at(-1)?.error).toBe(err);
  });

  it('ends a hung request when the run signal aborts', async () => {
    const ac = new AbortController();
    const { http } = client(server.url, ac.signal);
    const started = performance.now();
    setTimeout(() => ac.abort(new Error('probe timed out after 50 ms')), 50);
    await expect(http.get('/hang')).rejects.toThrow(
      `GET ${server.url}/hang: aborted (probe timed out after 50 ms)`,
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('checks expectations given with the request and lists every miss', async () => {
    const { http, exchanges } = client(server.url);
    await expect(
      http.get('/json', { expect: { status: 201, json: { 'user.name': 'root', 'items.length': 2 } } }),
    ).rejects.toThrow(
      `GET ${server.url}/json: expected status 201, got 200; expected json user.name to equal "root", got "demo"`,
    );
    // The exchange is recorded even though the assertion failed.
    expect(exchanges).toHaveLength(1);
  });

  it('drops authorization on a cross-origin redirect', async () => {
    const other = await startServer((req, res) =>
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null })),
    );
    const redirector = await startServer((_req, res) =>
      res.writeHead(307, { location: `${other.url}/x` }).end(),
    );
    try {
      const { http } = client();
      const res = await http.withHeaders({ Authorization: 'Bearer secret' }).get(`${redirector.url}/a`);
      expect(res.json()).toEqual({ auth: null });
    } finally {
      await other.close();
      await redirector.close();
    }
  });
});

describe('https', () => {
  let cert: SelfSigned;
  let server: TestServer;

  beforeAll(async () => {
    cert = makeSelfSignedCert(30);
    server = await startServer((_req, res) => {
      setTimeout(() => res.end('secure'), 5);
    }, cert);
  });
  afterAll(() => server.close());

  it('times the TLS handshake and reports the certificate expiry like probe_ssl_earliest_cert_expiry', async () => {
    const { http } = client();
    const res = await http.get(`https://localhost:${server.port}/`, { ca: cert.cert });
    expect(res.text()).toBe('secure');
    expect(res.timings.tls).toBeGreaterThan(0);
    expect(res.certExpiry).toBe(cert.notAfter);
    expect(res.certExpiry! - Date.now() / 1000).toBeGreaterThan(29 * 86400);
  });

  it('rejects an untrusted certificate unless insecure', async () => {
    const { http } = client();
    const err = await http.get(`${server.url}/`).catch((e: Error) => e);
    expect((err as Error).message).toBe(`GET ${server.url}/: self-signed certificate`);
    const res = await http.get(`${server.url}/`, { insecure: true });
    expect(res.status).toBe(200);
    expect(res.certExpiry).toBe(cert.notAfter);
  });

  it('a run signal aborted before the handshake ends the request', async () => {
    const ac = new AbortController();
    const { http } = client(undefined, ac.signal);
    ac.abort(new Error('stop'));
    await expect(http.get(`${server.url}/`, { insecure: true })).rejects.toThrow('aborted (stop)');
    await sleep(1);
  });
});
