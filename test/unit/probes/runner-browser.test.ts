import { describe, expect, it } from 'vitest';
import type {
  BrowserRuntime,
  BrowserSession,
  FinishResult,
} from '../../../packages/firedrill/src/probes/browser/index.ts';
import type { BrowserProbeDefinition } from '../../../packages/firedrill/src/probes/define.ts';
import { createProbeRunner } from '../../../packages/firedrill/src/probes/runner.ts';
import { silentLogger, testEnv } from './helpers.ts';

/**
 * The runner's side of the browser contract, with a stand-in runtime: when it launches, what it
 * passes to a session, how it reads `finish`. The real runtime has its own tests with Chromium.
 */
function fakeRuntime(opts: { crashed?: boolean; openFails?: Error } = {}) {
  const calls = {
    launches: 0,
    sessions: 0,
    finishes: [] as boolean[],
    opened: [] as Record<string, unknown>[],
  };
  const runtime: BrowserRuntime = {
    async openSession(o) {
      calls.sessions++;
      calls.opened.push({ ...o });
      if (opts.openFails) throw opts.openFails;
      const pending = ['page-req-1', 'page-req-2'];
      const session: BrowserSession = {
        context: {} as BrowserSession['context'],
        page: { title: async () => 'fake page' } as unknown as BrowserSession['page'],
        takeRequestIds: () => pending.splice(0),
        async finish({ failed }): Promise<FinishResult> {
          calls.finishes.push(failed);
          return {
            artifacts: failed ? [{ kind: 'screenshot', path: 'shot.png' }] : [],
            metrics: { web_vital_lcp: 321, web_vital_cls: 0.02 },
            errors: ['Uncaught Error: oops'],
            requestIds: [],
            crashed: opts.crashed ?? false,
            aborted: false,
          };
        },
      };
      return session;
    },
    close: async () => {},
    browserPid: async () => undefined,
  };
  const launch = async () => {
    calls.launches++;
    return runtime;
  };
  return { calls, launch };
}

const env = { ...testEnv('http://127.0.0.1:9'), credentials: { username: 'demo', password: 's3cret' } };

const browserProbe = (run: BrowserProbeDefinition['run'], extra: Partial<BrowserProbeDefinition> = {}) =>
  ({ id: 'web', kind: 'browser', run, ...extra }) as BrowserProbeDefinition;

describe('runner with the browser runtime', () => {
  it('never launches a browser for http-only runs', async () => {
    const fake = fakeRuntime();
    const runner = createProbeRunner({
      env,
      logger: silentLogger,
      artifactsDir: '/tmp/fd',
      launchBrowser: fake.launch,
    });
    await runner.runAll([{ id: 'a', kind: 'http', run: async () => {} }]);
    expect(fake.calls.launches).toBe(0);
    expect(runner.browserLaunched).toBe(false);
  });

  it('launches once, opens a session per run, and folds vitals, page request ids and errors into the result', async () => {
    const fake = fakeRuntime();
    const runner = createProbeRunner({
      env,
      logger: silentLogger,
      artifactsDir: '/tmp/fd',
      launchBrowser: fake.launch,
    });
    const probe = browserProbe(async ({ step, page }) => {
      await step('look', async () => {
        expect(await page.title()).toBe('fake page');
      });
    });
    const [a, b] = await runner.runAll([probe, probe], { concurrency: 2 });
    expect(fake.calls).toMatchObject({ launches: 1, sessions: 2, finishes: [false, false] });
    expect(fake.calls.opened[0]).toMatchObject({
      runId: a!.runId,
      artifactsDir: `/tmp/fd/web/${a!.runId}`,
      baseUrl: 'http://127.0.0.1:9',
      secrets: ['s3cret'],
    });
    expect(a).toMatchObject({
      status: 'pass',
      metrics: { web_vital_lcp: 321, web_vital_cls: 0.02, frontend_errors: 1 },
      artifacts: [],
    });
    expect(a!.steps[0]?.requestIds).toEqual(['page-req-1', 'page-req-2']);
    expect(b!.status).toBe('pass');
  });

  it('asks for failure artifacts when the flow fails', async () => {
    const fake = fakeRuntime();
    const runner = createProbeRunner({
      env,
      logger: silentLogger,
      artifactsDir: '/tmp/fd',
      launchBrowser: fake.launch,
    });
    const r = await runner.run(
      browserProbe(async ({ step }) => {
        await step('submit', async () => {
          throw Object.assign(new Error('login rejected: "bad password"'), { type: 'assertion' });
        });
      }),
    );
    expect(fake.calls.finishes).toEqual([true]);
    expect(r).toMatchObject({
      status: 'fail',
      error: { type: 'assertion', message: 'login rejected: "bad password"' },
      artifacts: [{ kind: 'screenshot', path: 'shot.png' }],
    });
  });

  it('turns a failure during a browser crash into an error', async () => {
    const fake = fakeRuntime({ crashed: true });
    const runner = createProbeRunner({
      env,
      logger: silentLogger,
      artifactsDir: '/tmp/fd',
      launchBrowser: fake.launch,
    });
    const r = await runner.run(
      browserProbe(async () => Promise.reject(new Error('locator.click: Timeout 15000ms exceeded'))),
    );
    expect(r.status).toBe('error');
    expect(r.error).toEqual({
      type: 'browser-crash',
      message: 'browser crashed during the run: locator.click: Timeout 15000ms exceeded',
    });
  });

  it('reports a browser that cannot start as a setup error, and tries again on the next run', async () => {
    let launches = 0;
    const runner = createProbeRunner({
      env,
      logger: silentLogger,
      artifactsDir: '/tmp/fd',
      launchBrowser: async () => {
        launches++;
        throw Object.assign(new Error('Chromium not found at /nope'), { type: 'browser-setup' });
      },
    });
    const probe = browserProbe(async () => {});
    const first = await runner.run(probe);
    const second = await runner.run(probe);
    expect(first).toMatchObject({
      status: 'error',
      error: { type: 'browser-setup', message: 'browser failed to start: Chromium not found at /nope' },
    });
    expect(second.status).toBe('error');
    expect(launches).toBe(2);
  });

  it('ends at the deadline when the session never opens', async () => {
    const runner = createProbeRunner({
      env,
      logger: silentLogger,
      artifactsDir: '/tmp/fd',
      launchBrowser: async () => ({
        openSession: () => new Promise<never>(() => {}),
        close: async () => {},
        browserPid: async () => undefined,
      }),
    });
    const r = await runner.run(browserProbe(async () => {}, { timeoutMs: 200 }));
    expect(r).toMatchObject({
      status: 'error',
      error: { type: 'timeout', message: 'probe timed out after 200 ms' },
    });
  });
});
