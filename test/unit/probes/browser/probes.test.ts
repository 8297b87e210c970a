import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserRuntime,
  createBrowserRuntime,
} from '../../../../packages/firedrill/src/probes/browser/runtime.ts';
import type { BrowserProbeDefinition } from '../../../../packages/firedrill/src/probes/define.ts';
import images from '../../../../probes/image-processing.probe.ts';
import login from '../../../../probes/login.probe.ts';
import { type RunningDemoApp, startDemoApp } from './demo-app.ts';
import { deadLoopbackUrl } from './fixture-server.ts';
import { runProbe } from './harness.ts';

const logger = pino({ level: 'silent' });
const PNG_MAGIC = '89504e470d0a1a0a';
const LOGIN_STEPS = ['open login page', 'fill credentials', 'submit login', 'signed-in page shows user'];

let app: RunningDemoApp;
let runtime: BrowserRuntime;
let artifactsDir: string;

beforeAll(async () => {
  app = await startDemoApp();
  runtime = await createBrowserRuntime({ logger, secrets: ['demo-password'] });
  artifactsDir = await mkdtemp(join(tmpdir(), 'fd-browser-probes-'));
});

afterAll(async () => {
  await runtime?.close();
  await app?.close();
});

const run = (def: BrowserProbeDefinition, timeoutMs?: number) =>
  runProbe(def, runtime, { baseUrl: app.url, artifactsDir, ...(timeoutMs ? { timeoutMs } : {}) });

describe('shipped browser probes against the demo app', () => {
  it('login passes every step and records web vitals and request ids', async () => {
    const { result } = await run(login);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('pass');
    expect(result.steps.map((s) => [s.name, s.status])).toEqual(
      [...LOGIN_STEPS, 'log out'].map((name) => [name, 'pass']),
    );
    for (const vital of ['lcp', 'fcp', 'ttfb'])
      expect(result.metrics?.[`web_vital_${vital}`]).toBeGreaterThan(0);
    expect(result.metrics?.web_vital_cls).toBeGreaterThanOrEqual(0);
    expect(result.artifacts).toEqual([]);
    const [open, , submit] = result.steps;
    // The page load carries firedrill's ids; the API call keeps the frontend's own.
    expect(open?.requestIds?.[0]).toBe(`${result.runId}-b1`);
    expect(submit?.requestIds?.some((id) => !id.startsWith(result.runId))).toBe(true);
  });

  it('image-processing uploads a PNG and sees the thumbnail rendered', async () => {
    const { result } = await run(images);
    expect(result.error).toBeUndefined();
    expect(result.steps.map((s) => s.name)).toEqual([
      ...LOGIN_STEPS,
      'open images page',
      'upload image',
      'processed thumbnail renders',
    ]);
    expect(result.status).toBe('pass');
  });

  it('the login-failure fault turns login red at "submit login" with a screenshot and a readable error', async () => {
    await app.fault({ kind: 'login-failure', ttlSeconds: 30 });
    try {
      const { result } = await run(login);
      expect(result.status).toBe('fail');
      expect(result.steps.map((s) => [s.name, s.status])).toEqual([
        ['open login page', 'pass'],
        ['fill credentials', 'pass'],
        ['submit login', 'fail'],
      ]);
      expect(result.error?.type).toBe('assertion');
      expect(result.error?.message).toMatch(
        /^login rejected: "invalid username or password \(request [\w-]+\)"$/,
      );
      expect(result.artifacts.map((a) => a.kind)).toEqual(['screenshot', 'trace', 'console']);
      const [shot, trace, log] = result.artifacts.map((a) => a.path) as [string, string, string];
      expect((await readFile(shot)).subarray(0, 8).toString('hex')).toBe(PNG_MAGIC);
      expect(await readFile(log, 'utf8')).toContain(`[http 401] POST ${app.url}/api/login`);
      const traceText = Object.values(unzipSync(await readFile(trace)))
        .map((e) => strFromU8(e))
        .join('\n');
      expect(traceText).not.toContain('demo-password');
    } finally {
      await app.clearFaults();
    }
  });

  it('a login request that hangs ends the run at its timeout, and the next run passes', async () => {
    await app.fault({ kind: 'hang', route: '/api/login', ttlSeconds: 60 });
    try {
      const started = Date.now();
      const { result } = await run(login, 4000);
      // Timeout plus the bounded abort work (screenshot, trace, context close).
      expect(Date.now() - started).toBeLessThan(7500);
      expect(result.status).toBe('error');
      expect(result.error?.type).toBe('timeout');
      expect(result.steps.at(-1)).toMatchObject({ name: 'submit login', status: 'error' });
      expect(result.artifacts.map((a) => a.kind)).toEqual(['screenshot', 'trace', 'console']);
    } finally {
      await app.clearFaults();
    }
    expect((await run(login)).result.status).toBe('pass');
  });

  it('a browser killed mid-run errors that run only; the next run relaunches and passes', async () => {
    const killer: BrowserProbeDefinition = {
      ...login,
      run: async (ctx) => {
        const step: typeof ctx.step = async (name, fn) => {
          if (name === 'submit login') process.kill((await runtime.browserPid())!, 'SIGKILL');
          return ctx.step(name, fn);
        };
        await login.run({ ...ctx, step });
      },
    };
    const crashed = await run(killer);
    expect(crashed.crashed).toBe(true);
    expect(crashed.result.status).toBe('error');
    expect(crashed.result.error?.type).toBe('browser-crash');
    expect(crashed.result.steps.at(-1)?.name).toBe('submit login');
    expect((await run(login)).result.status).toBe('pass');
  });
});

describe('with a Faro collector configured (DEMO_FARO_URL)', () => {
  let faroApp: RunningDemoApp;
  beforeAll(async () => {
    // Nothing listens there: the runtime answers the beacons itself.
    faroApp = await startDemoApp({ faroUrl: await deadLoopbackUrl('/faro/collect') });
  });
  afterAll(async () => faroApp?.close());

  it('parses the app’s Faro beacons for web vitals', async () => {
    const { result, frontendErrors } = await runProbe(login, runtime, { baseUrl: faroApp.url, artifactsDir });
    expect(result.status).toBe('pass');
    expect(result.metrics?.faro_beacons).toBeGreaterThan(0);
    expect(result.metrics?.faro_web_vital_fcp).toBeGreaterThan(0);
    expect(result.metrics?.faro_web_vital_ttfb).toBeGreaterThan(0);
    expect(frontendErrors).toEqual([]);
  });
});
