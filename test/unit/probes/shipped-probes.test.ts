import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type DemoApp } from '../../../demo-app/src/app.ts';
import { createProbeRunner } from '../../../packages/firedrill/src/probes/runner.ts';
import apiProbe from '../../../probes/api.probe.ts';
import imageProbe from '../../../probes/image-processing-http.probe.ts';
import { silentLogger, testEnv } from './helpers.ts';

/** The shipped HTTP probes against the real reference app, including the app failing on purpose. */
describe('shipped http probes against the demo app', () => {
  let demo: DemoApp;
  let baseUrl: string;
  const faultToken = 'unit-fault-token';

  beforeAll(async () => {
    demo = await createApp({ logToStdout: false, logLevel: 'warn', faultToken });
    baseUrl = await demo.listen();
  });
  afterAll(() => demo.close());

  const runner = () =>
    createProbeRunner({
      env: { ...testEnv(baseUrl), credentials: { username: 'demo', password: 'demo-password' } },
      logger: silentLogger,
      artifactsDir: '/tmp/fd-shipped',
    });

  const fault = async (body: Record<string, unknown>) => {
    const res = await fetch(`${baseUrl}/__faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${faultToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 30, ...body }),
    });
    expect(res.status).toBe(201);
  };
  const clearFaults = () =>
    fetch(`${baseUrl}/__faults`, { method: 'DELETE', headers: { authorization: `Bearer ${faultToken}` } });

  it('api: every step passes, each request id reached the app', async () => {
    const r = await runner().run(apiProbe);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('pass');
    expect(r.steps.map((s) => s.name)).toEqual([
      'log in',
      'create item',
      'read item',
      'list items',
      'delete item',
    ]);
    expect(r.steps.every((s) => s.requestIds?.length === 1 && s.timings?.http_status_code)).toBe(true);
    expect(r.steps.at(-1)?.timings?.http_status_code).toBe(204);
    // The probe cleaned up after itself.
    const list = await (await fetch(`${baseUrl}/api/items`, { headers: { authorization: 'Bearer x' } }))
      .status;
    expect(list).toBe(401);
  });

  it('api: a failing login turns the run red at "log in" with the app\'s answer', async () => {
    await fault({ kind: 'login-failure' });
    try {
      const r = await runner().run({ ...apiProbe, retries: 0 });
      expect(r.status).toBe('fail');
      expect(r.steps.map((s) => [s.name, s.status])).toEqual([['log in', 'fail']]);
      expect(r.error?.message).toBe(
        `POST ${baseUrl}/api/login: expected status 200, got 401; expected json user.username to equal "demo", got undefined; expected json token to be of type string, got undefined`,
      );
    } finally {
      await clearFaults();
    }
  });

  it('api: an error on reading still deletes the item', async () => {
    await fault({ kind: 'error-rate', rate: 1, route: '/api/items/:id', status: 503 });
    try {
      const r = await runner().run({ ...apiProbe, retries: 0 });
      expect(r.status).toBe('fail');
      expect(r.steps.map((s) => [s.name, s.status])).toEqual([
        ['log in', 'pass'],
        ['create item', 'pass'],
        ['read item', 'fail'],
        ['delete item', 'fail'],
      ]);
      // The cause is the read, not the clean-up that failed after it.
      expect(r.error?.message).toMatch(/^GET .*\/api\/items\/\S+: expected status 200, got 503/);
    } finally {
      await clearFaults();
    }
  });

  it('image-processing-http: uploads a generated image and gets a decodable thumbnail', async () => {
    const r = await runner().run(imageProbe);
    expect(r.error).toBeUndefined();
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['log in', 'pass'],
      ['upload image', 'pass'],
      ['wait for processing', 'pass'],
      ['fetch thumbnail', 'pass'],
    ]);
    expect(r.steps[1]?.timings?.http_status_code).toBe(202);
  });
});
