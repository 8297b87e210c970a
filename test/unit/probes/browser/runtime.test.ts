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
import { deadLoopbackUrl, type FixtureServer, startFixtureServer } from './fixture-server.ts';

const PNG_MAGIC = '89504e470d0a1a0a';
const logger = pino({ level: 'silent' });

let server: FixtureServer;
let runtime: BrowserRuntime;
let artifactsDir: string;
let failLogin = false;

beforeAll(async () => {
  server = await startFixtureServer({ failLogin: () => failLogin });
  runtime = await createBrowserRuntime({ logger, secrets: ['fixture-secret'] });
  artifactsDir = await mkdtemp(join(tmpdir(), 'fd-browser-runtime-'));
});

afterAll(async () => {
  await runtime?.close();
  await server?.close();
});

const open = (runId: string, signal = new AbortController().signal) =>
  runtime.openSession({ runId, artifactsDir, signal });

describe('browser runtime against a fixture app', () => {
  it('stamps <runId>-b<n> on the app’s requests, leaves the app’s own id and other origins alone, keeps cookies', async () => {
    server.seen.length = 0;
    const other = server.url.replace('127.0.0.1', 'localhost');
    const session = await open('ids');
    const { page } = session;
    await page.goto(`${server.url}/login?other=${encodeURIComponent(other)}`);
    const first = session.takeRequestIds();
    await page.getByTestId('username').fill('demo');
    await page.getByTestId('submit').click();
    await page.getByTestId('user').waitFor();
    await page.waitForLoadState('load');
    const second = session.takeRequestIds();
    const done = await session.finish({ failed: false });

    // Chromium's own favicon request is a request to the app too, and is stamped as well.
    expect(first[0]).toBe('ids-b1');
    expect(second).toContain('app-own-1');
    const byPath = Object.fromEntries(server.seen);
    expect(byPath).toMatchObject({ '/login': 'ids-b1', '/api/login': 'app-own-1', '/pixel': undefined });
    expect(byPath['/items']).toMatch(/^ids-b\d+$/);
    const sent = server.seen.map(([, id]) => id).filter((id) => id !== undefined);
    expect(done.requestIds.toSorted()).toEqual(sent.toSorted());
    expect(new Set(done.requestIds).size).toBe(done.requestIds.length);
    expect(done.artifacts).toEqual([]);
  });

  it('a probe’s own page.route still works next to the id stamping', async () => {
    server.seen.length = 0;
    const session = await open('own-route');
    const { page } = session;
    await page.route('**/mocked', (route) => route.fulfill({ status: 200, body: 'from the probe' }));
    await page.goto(`${server.url}/login`);
    const text = await page.evaluate(() => fetch('/mocked').then((r) => r.text()));
    await page.evaluate(() => fetch('/pixel'));
    await session.finish({ failed: false });
    expect(text).toBe('from the probe');
    const byPath = Object.fromEntries(server.seen);
    expect(byPath['/login']).toBe('own-route-b1');
    expect(byPath['/pixel']).toMatch(/^own-route-b\d+$/);
    expect(byPath).not.toHaveProperty('/mocked');
  });

  it('records web vitals from inside the page', async () => {
    const session = await open('vitals');
    await session.page.goto(`${server.url}/login`);
    await session.page.getByTestId('username').click();
    const { metrics } = await session.finish({ failed: false });
    expect(metrics.web_vital_fcp).toBeGreaterThan(0);
    expect(metrics.web_vital_lcp).toBeGreaterThan(0);
    expect(metrics.web_vital_ttfb).toBeGreaterThan(0);
    expect(metrics.web_vital_cls).toBe(0);
  });

  it('on failure keeps a PNG screenshot, a redacted trace and the console with page errors', async () => {
    failLogin = true;
    const session = await open('boom');
    const { page } = session;
    await page.goto(`${server.url}/login`);
    await page.getByTestId('password').fill('fixture-secret');
    await page.getByTestId('submit').click();
    await page.getByTestId('error').waitFor();
    const thrown = page.waitForEvent('pageerror');
    await page.goto(`${server.url}/boom`);
    await thrown;
    const done = await session.finish({ failed: true });
    failLogin = false;

    expect(done.errors).toEqual(['Error: kaboom']);
    expect(done.artifacts.map((a) => a.kind)).toEqual(['screenshot', 'trace', 'console']);
    const [shot, trace, log] = done.artifacts.map((a) => a.path) as [string, string, string];
    expect((await readFile(shot)).subarray(0, 8).toString('hex')).toBe(PNG_MAGIC);
    const entries = unzipSync(await readFile(trace));
    expect(Object.keys(entries)).toContain('trace.trace');
    const all = Object.values(entries)
      .map((e) => strFromU8(e))
      .join('\n');
    expect(all).not.toContain('fixture-secret');
    expect(all).toContain('[REDACTED]');
    const consoleLog = await readFile(log, 'utf8');
    expect(consoleLog).toContain('[console.error] something broke');
    expect(consoleLog).toContain('[pageerror] Error: kaboom');
    expect(consoleLog).toContain(`[http 401] POST ${server.url}/api/login`);
    expect(consoleLog).toMatch(/secret occurrences redacted from the trace/);
  });

  it('what was typed into a password field is redacted even when nobody listed it as a secret', async () => {
    const session = await open('typed');
    const { page } = session;
    await page.goto(`${server.url}/login`);
    await page.getByTestId('password').pressSequentially('typed-only-9731');
    await page.getByTestId('submit').click();
    await page.getByTestId('user').waitFor();
    const done = await session.finish({ failed: true });
    const trace = done.artifacts.find((a) => a.kind === 'trace')!.path;
    const all = Object.values(unzipSync(await readFile(trace)))
      .map((e) => strFromU8(e))
      .join('\n');
    expect(all).not.toContain('typed-only-9731');
    expect(all).toContain('[REDACTED]');
    // Each keystroke's prefix is not a secret of its own: ordinary text stays readable.
    expect(all).toContain('Sign in');
  });

  it('a page that never answers ends at the abort, with a screenshot of where it hung', async () => {
    const controller = new AbortController();
    const session = await open('hang', controller.signal);
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('run timed out after 1000 ms')), 1000);
    const outcome = await session.page.goto(`${server.url}/hang`, { timeout: 60_000 }).then(
      () => 'loaded',
      (err: Error) => err.message,
    );
    const elapsed = Date.now() - started;
    const done = await session.finish({ failed: true });

    // Closing the context either aborts the navigation or closes the page under it.
    expect(outcome).toMatch(/closed|ERR_ABORTED/);
    expect(elapsed).toBeLessThan(5000);
    expect(done.aborted).toBe(true);
    expect(done.artifacts.map((a) => a.kind)).toContain('console');
    const log = done.artifacts.find((a) => a.kind === 'console')!.path;
    expect(await readFile(log, 'utf8')).toContain('run aborted (Error: run timed out after 1000 ms)');
  });

  it('an abort as routine cleanup right before finish leaves a passing run alone', async () => {
    const controller = new AbortController();
    const session = await open('cleanup-abort', controller.signal);
    await session.page.goto(`${server.url}/login`);
    // `goto` resolves on load; the first paint can come later on a busy machine.
    await session.page.waitForFunction(
      () => performance.getEntriesByName('first-contentful-paint').length > 0,
    );
    controller.abort(new Error('run ended'));
    const done = await session.finish({ failed: false });
    expect(done.aborted).toBe(false);
    expect(done.artifacts).toEqual([]);
    expect(done.metrics.web_vital_fcp).toBeGreaterThan(0);
  });

  it('an already aborted signal refuses to open a session', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(open('pre-aborted', controller.signal)).rejects.toThrow('shutting down');
  });

  it('reads Faro beacons sent to a collector that does not exist', async () => {
    const session = await open('faro');
    const beacon = session.page.waitForResponse('**/collect');
    await session.page.goto(`${server.url}/faro?c=${encodeURIComponent(await deadLoopbackUrl('/collect'))}`);
    expect((await beacon).status()).toBe(202);
    const done = await session.finish({ failed: false });
    expect(done.metrics).toMatchObject({
      faro_beacons: 1,
      faro_web_vital_lcp: 123.5,
      faro_web_vital_cls: 0.02,
    });
    expect(done.errors).toEqual(['TypeError: x is undefined']);
  });

  it('a killed browser fails only the run in flight; the next session relaunches it', async () => {
    const pid = await runtime.browserPid();
    expect(pid).toBeGreaterThan(0);
    const session = await open('crash');
    await session.page.goto(`${server.url}/login`);
    const pending = session.page
      .getByTestId('never-there')
      .waitFor({ timeout: 20_000 })
      .then(
        () => 'found',
        (err: Error) => err.message,
      );
    process.kill(pid!, 'SIGKILL');
    expect(await pending).toMatch(/closed/);
    const done = await session.finish({ failed: true });
    expect(done.crashed).toBe(true);
    expect(done.artifacts.map((a) => a.kind)).toEqual(['console']);

    const next = await open('after-crash');
    await next.page.goto(`${server.url}/login`);
    expect(await next.page.title()).toBe('login');
    expect((await next.finish({ failed: false })).crashed).toBe(false);
    const newPid = await runtime.browserPid();
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(pid);
  });

  it('contexts are isolated: a cookie set in one session is absent in the next', async () => {
    const a = await open('iso-a');
    await a.context.addCookies([{ name: 'sid', value: 'fixture', url: server.url }]);
    await a.finish({ failed: false });
    const b = await open('iso-b');
    expect(await b.context.cookies()).toEqual([]);
    await b.finish({ failed: false });
  });
});

describe('runtime settings', () => {
  it('trace off keeps the screenshot and console but records no trace', async () => {
    const rt = await createBrowserRuntime({ logger, trace: 'off' });
    try {
      const session = await rt.openSession({
        runId: 'no-trace',
        artifactsDir,
        signal: new AbortController().signal,
      });
      await session.page.goto(`${server.url}/login`);
      const done = await session.finish({ failed: true });
      expect(done.artifacts.map((a) => a.kind)).toEqual(['screenshot', 'console']);
    } finally {
      await rt.close();
    }
  });

  it('a closed runtime refuses new sessions', async () => {
    const rt = await createBrowserRuntime({ logger });
    await rt.close();
    await expect(
      rt.openSession({ runId: 'late', artifactsDir, signal: new AbortController().signal }),
    ).rejects.toThrow('browser runtime is closed');
  });
});

describe('a page whose renderer crashes', () => {
  it('errors that run with the crash among its frontend errors; the browser and the next session are fine', async () => {
    const rt = await createBrowserRuntime({ logger });
    try {
      const session = await rt.openSession({
        runId: 'page-crash',
        artifactsDir,
        signal: new AbortController().signal,
      });
      await session.page.goto(`${server.url}/login`);
      const cdp = await session.context.newCDPSession(session.page);
      void cdp.send('Page.crash').catch(() => {});
      const outcome = await session.page
        .getByTestId('never-there')
        .waitFor({ timeout: 10_000 })
        .then(
          () => 'found',
          (err: Error) => err.message,
        );
      expect(outcome).toMatch(/crash/i);
      const done = await session.finish({ failed: true });
      expect(done.crashed).toBe(false);
      expect(done.errors).toEqual([`PageCrash: renderer process of ${server.url}/login crashed`]);
      const log = done.artifacts.find((a) => a.kind === 'console')!.path;
      expect(await readFile(log, 'utf8')).toContain('[crash] renderer process');

      const next = await rt.openSession({
        runId: 'after-page-crash',
        artifactsDir,
        signal: new AbortController().signal,
      });
      await next.page.goto(`${server.url}/login`);
      expect(await next.page.title()).toBe('login');
      await next.finish({ failed: false });
    } finally {
      await rt.close();
    }
  });
});
