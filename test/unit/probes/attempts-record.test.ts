import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserRuntime, BrowserSession } from '../../../packages/firedrill/src/probes/browser/index.ts';
import type {
  BrowserProbeDefinition,
  ProbeDefinition,
} from '../../../packages/firedrill/src/probes/define.ts';
import { createProbeRunner } from '../../../packages/firedrill/src/probes/runner.ts';
import { reportProblems } from '../../../packages/firedrill/src/reporting/validate-report.ts';
import { silentLogger, startServer, type TestServer, testEnv } from './helpers.ts';

/**
 * What the runner records for the reports beyond the last attempt: every attempt of a retried
 * run (so a flaky pass keeps why it first failed), and the browser's start-up before the first step.
 */
let server: TestServer;
let calls = 0;

beforeAll(async () => {
  server = await startServer((_req, res) => {
    calls++;
    if (calls === 1) return void res.writeHead(503).end('warming up');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
afterAll(() => server.close());

const runner = () =>
  createProbeRunner({ env: testEnv(server.url), logger: silentLogger, artifactsDir: '/tmp/fd-art' });

describe('attempts of a retried run', () => {
  it('a flaky pass keeps its failed first attempt: status, duration and error', async () => {
    calls = 0;
    const probe: ProbeDefinition = {
      id: 'flaky',
      kind: 'http',
      retries: 2,
      run: async ({ step, http }) => {
        await step('health', () => http.get('/health', { expect: { status: 200 } }));
      },
    };
    const r = await runner().run(probe);
    expect(r).toMatchObject({ status: 'pass', flaky: true, attempt: 2 });
    expect(r.attempts).toHaveLength(2);
    const [first, second] = r.attempts!;
    expect(first).toMatchObject({ attempt: 1, status: 'fail', error: { type: 'assertion' } });
    expect(first!.error!.message).toMatch(/503/);
    // The stack stays with the final attempt's own error; the record is kept small.
    expect(first!.error).not.toHaveProperty('stack');
    expect(second).toEqual({ attempt: 2, status: 'pass', start: r.start, durationMs: r.durationMs });
    expect(first!.start + first!.durationMs).toBeLessThanOrEqual(second!.start + 1);
    expect(reportProblems('result-line', { version: 2, ...r })).toBeUndefined();
  });

  it('a run that needed no retry carries no attempts list', async () => {
    calls = 1;
    const r = await runner().run({ id: 'once', kind: 'http', retries: 2, run: async () => {} });
    expect(r.status).toBe('pass');
    expect(r).not.toHaveProperty('attempts');
  });

  it('a run that failed every attempt lists each', async () => {
    const r = await runner().run({
      id: 'broken',
      kind: 'http',
      retries: 1,
      run: async ({ attempt }) => {
        throw new Error(`broken on attempt ${attempt}`);
      },
    });
    expect(r.attempts?.map((a) => [a.attempt, a.status, a.error?.message])).toEqual([
      [1, 'fail', 'broken on attempt 1'],
      [2, 'fail', 'broken on attempt 2'],
    ]);
  });
});

describe('browser start-up', () => {
  it('records how long opening the browser took before the first step, as browser_start_ms', async () => {
    const OPEN_MS = 120;
    const runtime: BrowserRuntime = {
      async openSession() {
        await new Promise((resolve) => setTimeout(resolve, OPEN_MS));
        const session: BrowserSession = {
          context: {} as BrowserSession['context'],
          page: {} as BrowserSession['page'],
          takeRequestIds: () => [],
          finish: async () => ({
            artifacts: [],
            metrics: {},
            errors: [],
            requestIds: [],
            crashed: false,
            aborted: false,
          }),
        };
        return session;
      },
      close: async () => {},
      browserPid: async () => undefined,
    };
    const r = await createProbeRunner({
      env: testEnv(server.url),
      logger: silentLogger,
      artifactsDir: '/tmp/fd-art',
      launchBrowser: async () => runtime,
    }).run({
      id: 'web',
      kind: 'browser',
      run: async ({ step }) => {
        await step('look', async () => {});
      },
    } as BrowserProbeDefinition);
    const started = r.metrics?.browser_start_ms;
    expect(started).toBeGreaterThanOrEqual(OPEN_MS - 5);
    expect(started).toBeLessThan(r.durationMs);
    // The first step begins once the browser is up: the report's "browser start" row fills that gap.
    expect(r.steps[0]!.start - r.start).toBeGreaterThanOrEqual(OPEN_MS - 5);
  });

  it('http runs record no browser start', async () => {
    const r = await runner().run({ id: 'api', kind: 'http', run: async () => {} });
    expect(r.metrics).not.toHaveProperty('browser_start_ms');
  });
});
