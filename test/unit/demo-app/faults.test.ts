import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FaultRegistry } from '../../../demo-app/src/faults.ts';
import { createMetrics } from '../../../demo-app/src/metrics.ts';
import { FAULT_TOKEN, metricValue, scrape, startApp, type TestApp } from './helpers.ts';

interface Fault {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
}

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startApp();
  token = await app.login();
});
afterEach(async () => {
  await app.request('/__faults', { method: 'DELETE', token: FAULT_TOKEN });
});
afterAll(async () => {
  await app.close();
});

async function inject(json: Record<string, unknown>): Promise<Fault> {
  const response = await app.request('/__faults', { method: 'POST', token: FAULT_TOKEN, json });
  expect(response.status).toBe(201);
  return (await response.json()) as Fault;
}

async function timed(
  path: string,
  init: Parameters<TestApp['request']>[1] = {},
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await app.request(path, init);
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

describe('fault endpoint guards', () => {
  it('does not exist without a configured token', async () => {
    const off = await startApp({ faultToken: undefined });
    try {
      const response = await off.request('/__faults', {
        method: 'POST',
        token: FAULT_TOKEN,
        json: { kind: 'hang', ttlSeconds: 5 },
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    } finally {
      await off.close();
    }
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token' }],
    ['the right token without Bearer', { authorization: FAULT_TOKEN }],
    ['a session token of a user', { authorization: 'Bearer session-token' }],
  ])('answers 401 for %s', async (_case, headers) => {
    for (const [method, path] of [
      ['GET', '/__faults'],
      ['POST', '/__faults'],
      ['DELETE', '/__faults'],
      ['DELETE', '/__faults/x'],
    ]) {
      const response = await app.request(path!, { method, headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: 'unauthorized',
        message: 'the fault endpoint requires a valid bearer token',
      });
    }
  });

  it.each(['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', '2001:db8::1'])(
    'answers 403 to non-loopback client %s, even with the token',
    async (remoteAddress) => {
      const response = await app.demo.app.inject({
        method: 'GET',
        url: '/__faults',
        remoteAddress,
        headers: { authorization: `Bearer ${FAULT_TOKEN}` },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({
        error: 'forbidden',
        message: 'the fault endpoint only accepts loopback clients',
      });
    },
  );

  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])(
    'accepts loopback client %s',
    async (remoteAddress) => {
      const response = await app.demo.app.inject({
        method: 'GET',
        url: '/__faults',
        remoteAddress,
        headers: { authorization: `Bearer ${FAULT_TOKEN}` },
      });
      expect(response.statusCode).toBe(200);
    },
  );
});

const KIND_MESSAGE =
  'kind: must be one of latency, error-rate, login-failure, slow-image, hang, crash, cpu-burn, memory-hog, event-loop-block, slow-db';

describe('fault validation', () => {
  it.each([
    [{}, KIND_MESSAGE],
    [{ kind: 'flood', ttlSeconds: 5 }, KIND_MESSAGE],
    [{ kind: 'hang' }, 'ttlSeconds: is required'],
    [{ kind: 'hang', ttlSeconds: 0 }, 'ttlSeconds: must be between 1 and 3600'],
    [{ kind: 'hang', ttlSeconds: 3601 }, 'ttlSeconds: must be between 1 and 3600'],
    [{ kind: 'hang', ttlSeconds: 1.5 }, 'ttlSeconds: must be an integer'],
    [{ kind: 'hang', ttlSeconds: '60' }, 'ttlSeconds: must be a number'],
    [{ kind: 'latency', ttlSeconds: 5 }, 'latencyMs: is required'],
    [{ kind: 'latency', ttlSeconds: 5, latencyMs: 0 }, 'latencyMs: must be between 1 and 120000'],
    [
      { kind: 'latency', ttlSeconds: 5, latencyMs: 10, route: '/api/nope' },
      'route: unknown route template "/api/nope"',
    ],
    [
      { kind: 'latency', ttlSeconds: 5, latencyMs: 10, route: '/healthz' },
      'route: this route is never affected by faults',
    ],
    [{ kind: 'error-rate', ttlSeconds: 5 }, 'rate: is required'],
    [{ kind: 'error-rate', ttlSeconds: 5, rate: 0 }, 'rate: must be greater than 0 and at most 1'],
    [{ kind: 'error-rate', ttlSeconds: 5, rate: 1.5 }, 'rate: must be greater than 0 and at most 1'],
    [{ kind: 'error-rate', ttlSeconds: 5, rate: 1, status: 404 }, 'status: must be between 500 and 599'],
    [{ kind: 'slow-image', ttlSeconds: 5, delayMs: -1 }, 'delayMs: must be between 1 and 120000'],
    [{ kind: 'login-failure', ttlSeconds: 5, rate: 1 }, 'rate: unknown field'],
    [{ kind: 'crash', afterMs: 60_001 }, 'afterMs: must be between 0 and 60000'],
    [{ kind: 'cpu-burn', ttlSeconds: 5, threads: 0 }, 'threads: must be between 1 and 4'],
    [{ kind: 'cpu-burn', ttlSeconds: 5, threads: 5 }, 'threads: must be between 1 and 4'],
    [{ kind: 'memory-hog', ttlSeconds: 5 }, 'mb: is required'],
    [{ kind: 'memory-hog', ttlSeconds: 5, mb: 2049 }, 'mb: must be between 1 and 2048'],
    [{ kind: 'event-loop-block', ttlSeconds: 5, everyMs: 500 }, 'blockMs: is required'],
    [
      { kind: 'event-loop-block', ttlSeconds: 5, blockMs: 2001, everyMs: 5000 },
      'blockMs: must be between 1 and 2000',
    ],
    [
      { kind: 'event-loop-block', ttlSeconds: 5, blockMs: 50, everyMs: 99 },
      'everyMs: must be between 100 and 10000',
    ],
    [
      { kind: 'event-loop-block', ttlSeconds: 5, blockMs: 500, everyMs: 500 },
      'blockMs: must be less than everyMs: the event loop needs time between stalls',
    ],
    [{ kind: 'slow-db', ttlSeconds: 5 }, 'delayMs: is required'],
    [{ kind: 'slow-db', delayMs: 300 }, 'ttlSeconds: is required'],
    [
      { kind: 'slow-db', ttlSeconds: 5, delayMs: 300, route: '/metrics' },
      'route: this route is never affected by faults',
    ],
    [
      { kind: 'latency', ttlSeconds: 0, latencyMs: 'slow' },
      'ttlSeconds: must be between 1 and 3600; latencyMs: must be a number',
    ],
    [[1], 'request body must be a JSON object'],
  ])('rejects %j: "%s"', async (json, message) => {
    const response = await app.request('/__faults', { method: 'POST', token: FAULT_TOKEN, json });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'validation_error',
      message,
      request_id: expect.any(String),
    });
  });
});

describe('fault lifecycle', () => {
  it('injects, lists, clears one and clears all, logging each change and updating app_faults_active', async () => {
    const a = await inject({ kind: 'latency', ttlSeconds: 60, latencyMs: 5, route: '/api/items' });
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'latency',
      params: { latencyMs: 5, route: '/api/items' },
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(a.expiresAt) - Date.parse(a.createdAt)).toBe(60_000);
    const b = await inject({ kind: 'error-rate', ttlSeconds: 60, rate: 0.1 });
    expect(b.params).toEqual({ rate: 0.1, status: 500 });
    await inject({ kind: 'error-rate', ttlSeconds: 60, rate: 0.1 });

    const listed = (await (await app.request('/__faults', { token: FAULT_TOKEN })).json()) as {
      faults: Fault[];
    };
    expect(listed.faults.map((f) => f.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    let metrics = await scrape(app);
    expect(metricValue(metrics, 'app_faults_active', { kind: 'error-rate' })).toBe(2);
    expect(metricValue(metrics, 'app_faults_active', { kind: 'latency' })).toBe(1);

    expect((await app.request(`/__faults/${a.id}`, { method: 'DELETE', token: FAULT_TOKEN })).status).toBe(
      204,
    );
    const again = await app.request(`/__faults/${a.id}`, { method: 'DELETE', token: FAULT_TOKEN });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: 'not_found', message: 'fault not found' });

    const all = await app.request('/__faults', { method: 'DELETE', token: FAULT_TOKEN });
    expect(await all.json()).toEqual({ cleared: 2 });
    metrics = await scrape(app);
    expect(metricValue(metrics, 'app_faults_active', { kind: 'error-rate' })).toBe(0);
    expect(metricValue(metrics, 'app_faults_active', { kind: 'latency' })).toBe(0);

    expect(await app.waitForLog((l) => l.event === 'fault_injected' && l.fault_id === a.id)).toMatchObject({
      level: 'warn',
      fault_kind: 'latency',
      fault_params: { latencyMs: 5, route: '/api/items' },
    });
    await app.waitForLog((l) => l.event === 'fault_cleared' && l.fault_id === a.id);
    await app.waitForLog((l) => l.event === 'fault_cleared' && l.fault_id === b.id);
  });

  it('expires a fault at its TTL by itself', async () => {
    const fault = await inject({ kind: 'latency', ttlSeconds: 1, latencyMs: 600 });
    expect((await timed('/api/items', { token })).ms).toBeGreaterThanOrEqual(590);
    await sleep(1100);
    // Generous margins throughout: CI boxes are shared and a plain request can take 100+ ms.
    expect((await timed('/api/items', { token })).ms).toBeLessThan(500);
    const listed = (await (await app.request('/__faults', { token: FAULT_TOKEN })).json()) as {
      faults: Fault[];
    };
    expect(listed.faults).toEqual([]);
    expect(metricValue(await scrape(app), 'app_faults_active', { kind: 'latency' })).toBe(0);
    await app.waitForLog((l) => l.event === 'fault_expired' && l.fault_id === fault.id && l.level === 'info');
  });
});

describe('fault kinds', () => {
  it('latency delays matching routes only, never /healthz or /metrics', async () => {
    await inject({ kind: 'latency', ttlSeconds: 30, latencyMs: 800, route: '/api/items' });
    expect((await timed('/api/items', { token })).ms).toBeGreaterThanOrEqual(790);
    expect((await timed('/api/me', { token })).ms).toBeLessThan(600);
    await app.request('/__faults', { method: 'DELETE', token: FAULT_TOKEN });

    await inject({ kind: 'latency', ttlSeconds: 30, latencyMs: 800 });
    expect((await timed('/api/me', { token })).ms).toBeGreaterThanOrEqual(790);
    expect((await timed('/healthz')).ms).toBeLessThan(600);
    expect((await timed('/metrics')).ms).toBeLessThan(600);
    expect((await timed('/__faults', { token: FAULT_TOKEN })).ms).toBeLessThan(600);
  });

  it('error-rate 1 fails every matching request with the chosen 5xx, logged at error', async () => {
    const fault = await inject({
      kind: 'error-rate',
      ttlSeconds: 30,
      rate: 1,
      status: 503,
      route: '/api/items',
    });
    const response = await app.request('/api/items', { token, headers: { 'x-request-id': 'err-rate-1' } });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: 'injected_fault',
      message: `injected error-rate fault ${fault.id}`,
      request_id: 'err-rate-1',
    });
    expect((await app.request('/api/me', { token })).status).toBe(200);
    const line = await app.waitForLog((l) => l.request_id === 'err-rate-1' && l.event === 'request_error');
    expect(line).toMatchObject({
      level: 'error',
      status_code: 503,
      fault_id: fault.id,
      err: {
        type: 'InjectedFaultError',
        message: `injected error-rate fault ${fault.id}`,
        stack: expect.any(String),
      },
    });
    const metrics = await scrape(app);
    expect(metricValue(metrics, 'http_requests_total', { route: '/api/items', status_code: '503' })).toBe(1);
  });

  it('error-rate 0.5 fails about half of the requests', async () => {
    await inject({ kind: 'error-rate', ttlSeconds: 30, rate: 0.5 });
    let failed = 0;
    for (let i = 0; i < 200; i++) {
      const response = await app.demo.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.statusCode === 500) failed++;
      else expect(response.statusCode).toBe(200);
    }
    // Binomial(200, 0.5): outside 60..140 has a probability below 1e-8.
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
  });

  it('login-failure makes correct credentials fail with 401, counted as failures', async () => {
    const before = metricValue(await scrape(app), 'login_attempts_total', { result: 'failure' }) ?? 0;
    const fault = await inject({ kind: 'login-failure', ttlSeconds: 30 });
    const response = await app.request('/api/login', {
      method: 'POST',
      json: { username: 'demo', password: 'demo-password' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_credentials' });
    expect(metricValue(await scrape(app), 'login_attempts_total', { result: 'failure' })).toBe(before + 1);
    await app.waitForLog(
      (l) => l.event === 'login_failed' && l.reason === 'fault_injected' && l.fault_id === fault.id,
    );
    await app.request(`/__faults/${fault.id}`, { method: 'DELETE', token: FAULT_TOKEN });
    expect(
      (
        await app.request('/api/login', {
          method: 'POST',
          json: { username: 'demo', password: 'demo-password' },
        })
      ).status,
    ).toBe(200);
  });

  it('slow-image delays processing, which shows in durationMs', async () => {
    await inject({ kind: 'slow-image', ttlSeconds: 30, delayMs: 1000 });
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('image', new Blob([png], { type: 'image/png' }), 'a.png');
    const { id } = (await (
      await app.request('/api/images', { method: 'POST', body: form, token })
    ).json()) as { id: string };
    await sleep(200);
    const midway = (await (await app.request(`/api/images/${id}`, { token })).json()) as { status: string };
    expect(midway.status).toBe('processing');
    const early = await app.request(`/api/images/${id}/thumbnail`, { token });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({
      error: 'not_ready',
      message: 'image is processing, not done',
    });
    let view: { status: string; durationMs?: number } = midway;
    while (view.status !== 'done') {
      await sleep(50);
      view = (await (await app.request(`/api/images/${id}`, { token })).json()) as typeof view;
    }
    expect(view.durationMs).toBeGreaterThanOrEqual(1000);
  });

  it('hang holds API requests until cleared; health, metrics, faults and pages still answer; readyz is 503', async () => {
    const fault = await inject({ kind: 'hang', ttlSeconds: 60 });
    const timedOut = await app.request('/api/me', { token, signal: AbortSignal.timeout(300) }).then(
      () => 'answered',
      (err: Error) => err.name,
    );
    expect(timedOut).toBe('TimeoutError');
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(200);
    expect((await app.request('/__faults', { token: FAULT_TOKEN })).status).toBe(200);
    expect((await app.request('/login')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      checks: { db: 'ok', faults: 'hang fault active' },
    });

    const held = app.request('/api/me', { token });
    await sleep(200);
    await app.request(`/__faults/${fault.id}`, { method: 'DELETE', token: FAULT_TOKEN });
    expect((await held).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('hang ends by itself at its TTL', async () => {
    await inject({ kind: 'hang', ttlSeconds: 1, route: '/api/items' });
    const started = performance.now();
    const response = await app.request('/api/items', { token });
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(800);
  });
});

describe('FaultRegistry', () => {
  it('never applies a fault past its expiry, even before its timer fires', () => {
    const registry = new FaultRegistry(pino({ level: 'silent' }), createMetrics(), () => {});
    const now = Date.now();
    registry.inject({ kind: 'latency', ttlSeconds: 10, params: { latencyMs: 100 } });
    expect(registry.matching('latency', '/api/items')).toHaveLength(1);
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 10_001);
    try {
      expect(registry.matching('latency', '/api/items')).toEqual([]);
      expect(registry.list()).toEqual([]);
    } finally {
      clock.mockRestore();
      registry.shutdown();
    }
  });

  it.each([
    [undefined, '/api/items', true],
    [undefined, '/api/items/:id', true],
    [undefined, '/login', false],
    ['/api/items', '/api/items', true],
    ['/api/items', '/api/items/:id', false],
    ['/login', '/login', true],
  ])('a fault with route %s applies to %s: %s', (route, requestRoute, applies) => {
    const registry = new FaultRegistry(pino({ level: 'silent' }), createMetrics(), () => {});
    registry.inject({ kind: 'hang', ttlSeconds: 10, params: route ? { route } : {} });
    expect(registry.matching('hang', requestRoute).length > 0).toBe(applies);
    registry.shutdown();
  });
});
