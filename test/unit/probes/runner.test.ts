import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepResult } from '../../../packages/firedrill/src/core/result.ts';
import { defineProbe, type ProbeDefinition } from '../../../packages/firedrill/src/probes/define.ts';
import { createProbeRunner, type ProbeRef } from '../../../packages/firedrill/src/probes/runner.ts';
import { silentLogger, sleep, startServer, type TestServer, testEnv } from './helpers.ts';

let server: TestServer;
let sockets = 0;
let closed = 0;

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/hang') {
      sockets++;
      req.socket.on('close', () => closed++);
      return;
    }
    if (req.url === '/teapot') return void res.writeHead(418).end('short and stout');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
afterAll(() => server.close());

function runner(events?: Parameters<typeof createProbeRunner>[0]['events']) {
  return createProbeRunner({
    env: testEnv(server.url),
    logger: silentLogger,
    artifactsDir: '/tmp/fd-art',
    events: events ?? {},
  });
}

describe('runner', () => {
  it('records steps with timings and request ids, and passes', async () => {
    const ends: [ProbeRef, StepResult][] = [];
    const probe = defineProbe({
      id: 'ok',
      kind: 'http',
      tags: ['smoke'],
      run: async ({ step, http, recordMetric }) => {
        await step('first', () => http.get('/json', { expect: { status: 200, json: { ok: true } } }));
        await step('second', async () => {
          await http.get('/json');
          await http.get('/json');
        });
        recordMetric('items_seen', 3);
      },
    });
    const r = await runner({ onStepEnd: (ref, s) => ends.push([ref, s]) }).run(probe);
    expect(r).toMatchObject({
      id: 'ok',
      name: 'ok',
      kind: 'probe',
      status: 'pass',
      attempt: 1,
      environment: 'test',
      location: 'test-lab',
      tags: ['smoke'],
      artifacts: [],
      metrics: { items_seen: 3, http_status_code: 200, http_redirects: 0 },
    });
    expect(r.flaky).toBeUndefined();
    expect(r.steps.map((s) => [s.name, s.status, s.requestIds])).toEqual([
      ['first', 'pass', [`${r.runId}-1`]],
      ['second', 'pass', [`${r.runId}-2`, `${r.runId}-3`]],
    ]);
    expect(r.steps[1]?.timings).toMatchObject({ http_requests: 2, http_status_code: 200 });
    expect(r.steps[1]?.timings?.connect).toBeGreaterThan(0);
    expect(server.requestIds.slice(-3)).toEqual([`${r.runId}-1`, `${r.runId}-2`, `${r.runId}-3`]);
    expect(ends.map(([ref, s]) => `${ref.id}#${ref.attempt}:${s.name}`)).toEqual([
      'ok#1:first',
      'ok#1:second',
    ]);
  });

  it('fails on an assertion, names it, and skips the later steps', async () => {
    const r = await runner().run({
      id: 'teapot',
      kind: 'http',
      run: async ({ step, http }) => {
        await step('brew', () => http.get('/teapot', { expect: { status: 200 } }));
        await step('pour', async () => {});
      },
    });
    expect(r.status).toBe('fail');
    expect(r.error).toMatchObject({
      type: 'assertion',
      message: `GET ${server.url}/teapot: expected status 200, got 418`,
    });
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([['brew', 'fail']]);
    expect(r.metrics?.http_status_code).toBe(418);
  });

  it('marks a pass after a retry as flaky, keeping the run id and numbering request ids on', async () => {
    let tries = 0;
    const begins: number[] = [];
    const r = await runner({ onResultBegin: (ref) => begins.push(ref.attempt) }).run({
      id: 'flaky',
      kind: 'http',
      retries: 2,
      run: async ({ step, http, attempt }) => {
        tries++;
        await step('call', () => http.get(attempt === 1 ? '/teapot' : '/json', { expect: { status: 200 } }));
      },
    });
    expect(tries).toBe(2);
    expect(begins).toEqual([1, 2]);
    expect(r).toMatchObject({ status: 'pass', flaky: true, attempt: 2 });
    expect(r.steps[0]?.requestIds).toEqual([`${r.runId}-2`]);
  });

  it('reports the last failure when every attempt fails', async () => {
    const r = await runner().run({
      id: 'always',
      kind: 'http',
      retries: 1,
      run: async ({ attempt }) => {
        throw new Error(`broken on attempt ${attempt}`);
      },
    });
    expect(r).toMatchObject({ status: 'fail', attempt: 2, error: { message: 'broken on attempt 2' } });
    expect(r.flaky).toBeUndefined();
  });

  it('ends a probe that ignores its signal at the deadline, as error/timeout naming the step', async () => {
    const started = performance.now();
    const r = await runner().run({
      id: 'stuck',
      kind: 'http',
      timeoutMs: 300,
      run: async ({ step }) => {
        await step('quick', async () => {});
        await step('forever', () => new Promise(() => {}));
      },
    });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(295);
    expect(took).toBeLessThan(600);
    expect(r.status).toBe('error');
    expect(r.error).toEqual({ type: 'timeout', message: 'probe timed out after 300 ms in step "forever"' });
    expect(r.steps.map((s) => [s.name, s.status, s.error?.message])).toEqual([
      ['quick', 'pass', undefined],
      ['forever', 'error', 'step "forever" did not finish: probe timed out after 300 ms'],
    ]);
    expect(r.durationMs).toBeGreaterThanOrEqual(295);
  });

  it('aborts a request to a target that never answers, and closes its connection', async () => {
    const before = closed;
    const r = await runner().run({
      id: 'silent-target',
      kind: 'http',
      timeoutMs: 250,
      run: async ({ step, http }) => {
        await step('wait', () => http.get('/hang'));
      },
    });
    expect(r.status).toBe('error');
    expect(r.error?.type).toBe('timeout');
    expect(r.steps[0]?.requestIds).toHaveLength(1);
    await sleep(50);
    expect(sockets).toBeGreaterThan(0);
    expect(closed).toBe(before + 1);
  });

  it.each<[string, ProbeDefinition['run'], string, string]>([
    ['TypeError', async () => void (undefined as unknown as { x: number }).x, 'error', 'TypeError'],
    ['non-Error', async () => Promise.reject('just a string'), 'error', 'exception'],
    [
      'synchronous throw',
      (() => {
        throw new RangeError('sync');
      }) as unknown as ProbeDefinition['run'],
      'error',
      'RangeError',
    ],
    [
      'thrown Error',
      async () => {
        throw new Error('nope');
      },
      'fail',
      '',
    ],
  ])('a probe crashing with %s becomes a Result, never a throw', async (_name, run, status, type) => {
    const r = await runner().run({ id: 'crash', kind: 'http', run } as ProbeDefinition);
    expect(r.status).toBe(status);
    expect(r.error?.type ?? '').toBe(type);
  });

  it('fails a run whose probe swallowed a failed step', async () => {
    const r = await runner().run({
      id: 'swallow',
      kind: 'http',
      run: async ({ step }) => {
        await step('bad', async () => {
          throw new Error('boom');
        }).catch(() => {});
        await step('good', async () => {});
      },
    });
    expect(r.status).toBe('fail');
    expect(r.error?.message).toBe('boom');
    expect(r.steps.map((s) => s.status)).toEqual(['fail', 'pass']);
  });

  it('records requests made outside any step on an implicit step', async () => {
    const r = await runner().run({
      id: 'bare',
      kind: 'http',
      run: async ({ http }) => {
        await http.get('/json');
        await http.get('/teapot', { expect: { status: 200 } });
      },
    });
    expect(r.status).toBe('fail');
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ name: 'main', status: 'fail', timings: { http_requests: 2 } });
  });

  it('names nested steps by their path and keeps concurrent steps apart', async () => {
    const r = await runner().run({
      id: 'nested',
      kind: 'http',
      run: async ({ step, http }) => {
        await step('outer', async () => {
          await Promise.all([step('a', () => http.get('/json')), step('b', () => http.get('/json'))]);
        });
      },
    });
    const byName = Object.fromEntries(r.steps.map((s) => [s.name, s.requestIds?.length ?? 0]));
    expect(byName).toEqual({ outer: 0, 'outer › a': 1, 'outer › b': 1 });
  });

  it('runs many with a concurrency limit, results in input order', async () => {
    let now = 0;
    let peak = 0;
    const probes: ProbeDefinition[] = Array.from({ length: 6 }, (_, i) => ({
      id: `p${i}`,
      kind: 'http',
      run: async () => {
        peak = Math.max(peak, ++now);
        await sleep(60);
        now--;
      },
    }));
    const started = performance.now();
    const results = await runner().runAll(probes, { concurrency: 3 });
    expect(results.map((r) => r.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(peak).toBe(3);
    expect(performance.now() - started).toBeLessThan(600);
  });

  it('ends at once when the caller aborts, without retrying', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 50);
    const r = await runner().run(
      {
        id: 'abort',
        kind: 'http',
        retries: 3,
        run: ({ signal }) =>
          new Promise((_, rej) => signal.addEventListener('abort', () => rej(signal.reason))),
      },
      { signal: ac.signal },
    );
    expect(r).toMatchObject({
      status: 'error',
      attempt: 1,
      error: { type: 'aborted', message: 'run aborted: interrupted' },
    });
  });
});
