import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFault, createFault } from '../../../packages/firedrill/src/faults/index.ts';
import type { FaultContext } from '../../../packages/firedrill/src/faults/types.ts';
import { FAULT_TOKEN, startApp, type TestApp } from '../demo-app/helpers.ts';

// The real reference app, in-process on a loopback port.
let app: TestApp;
const ids: string[] = [];
const ctx = (over: Partial<FaultContext> = {}): FaultContext => ({
  target: { baseUrl: app.url, faultToken: FAULT_TOKEN },
  drillId: 'd',
  runId: 'd-abc123',
  signal: new AbortController().signal,
  logger: pino({ enabled: false }),
  recordRequestId: (id) => ids.push(id),
  ...over,
});
const active = async () =>
  (
    (await (
      await app.request('/__faults', { headers: { authorization: `Bearer ${FAULT_TOKEN}` } })
    ).json()) as { faults: { id: string; kind: string }[] }
  ).faults;

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('app fault', () => {
  it('injects with a TTL and a request id, and rolls back by id', async () => {
    const fault = createFault(appFault({ kind: 'error-rate', rate: 1, status: 503, ttl: '30s' }));
    expect(fault.describe()).toBe('app fault error-rate rate=1 status=503 (ttl 30s)');
    const injected = await fault.inject(ctx());
    expect(injected.ids).toHaveLength(1);
    expect(injected.expiresAt! - injected.injectedAt).toBeGreaterThan(28_000);
    expect(ids).toContain('d-abc123-fault-error-rate');
    expect((await app.request('/api/items')).status).toBe(503);
    expect(await fault.rollback(ctx(), injected)).toEqual({
      cleared: true,
      detail: `deleted /__faults/${injected.ids[0]}`,
    });
    expect(await active()).toEqual([]);
    // Idempotent: a second rollback finds it gone.
    expect(await fault.rollback(ctx(), injected)).toEqual({ cleared: false, detail: 'already expired' });
  });

  it('reaches the fault endpoint through its own connection, and names it when refused', async () => {
    const fault = createFault(appFault({ kind: 'error-rate', rate: 1, status: 503, ttl: '30s' }));
    // Through the endpoint's own connection: its auth, not faultToken.
    const own = ctx({
      target: {
        baseUrl: 'http://127.0.0.1:9',
        faultEndpoint: { url: app.url, headers: {}, auth: { type: 'bearer', token: FAULT_TOKEN } },
      },
    });
    const injected = await fault.inject(own);
    expect((await app.request('/api/items')).status).toBe(503);
    expect((await fault.rollback(own, injected)).cleared).toBe(true);
    const refused = ctx({
      target: { baseUrl: app.url, faultEndpoint: { url: app.url, headers: {} }, faultToken: 'wrong-token' },
    });
    await expect(fault.inject(refused)).rejects.toThrow(
      `The app’s fault endpoint at ${app.url}/__faults answered HTTP 401`,
    );
  });

  it('expires by itself at its TTL', async () => {
    const fault = createFault(appFault({ kind: 'latency', latencyMs: 100, ttl: '1s' }));
    await fault.inject(ctx());
    expect(await active()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1300));
    expect(await active()).toEqual([]);
  });

  it('without ids (died before the answer) clears every fault on the target', async () => {
    const fault = createFault(appFault({ kind: 'login-failure', ttl: '30s' }));
    await fault.inject(ctx());
    expect((await fault.rollback(ctx())).cleared).toBe(true);
    expect(await active()).toEqual([]);
  });

  it.each([
    ['a wrong token', 'nope', appFault({ kind: 'hang', ttl: '5s' }), /HTTP 401.*valid bearer token/],
    ['bad parameters', FAULT_TOKEN, appFault({ kind: 'latency', latencyMs: -1, ttl: '5s' }), /HTTP 400/],
  ])('fails clearly with %s', async (_what, faultToken, spec, message) => {
    await expect(createFault(spec).inject(ctx({ target: { baseUrl: app.url, faultToken } }))).rejects.toThrow(
      message,
    );
  });

  it('crash: rollback restarts the app through the given shell command', async () => {
    const fault = createFault(appFault({ kind: 'crash', ttl: '60s', restart: { shell: 'true' } }));
    // Not injected here (it would end this test process): only the restart path is exercised.
    expect(await fault.rollback(ctx())).toMatchObject({
      cleared: true,
      detail: expect.stringMatching(/^app restarted, healthy after \d+ ms$/),
    });
    const noRestart = createFault(appFault({ kind: 'crash', ttl: '60s' }));
    expect(await noRestart.rollback(ctx())).toEqual({
      cleared: false,
      detail: 'crash fault without restart: start the app yourself',
    });
  });
});
