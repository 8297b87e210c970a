import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadRunOptions, LoadSetupError, runLoad } from '../../../packages/firedrill/src/load/run.ts';
import type { ScenarioFile } from '../../../packages/firedrill/src/load/scenarios.ts';
import { K6_FIXTURES, realK6 } from './helpers.ts';

const real = await realK6();
const k6 = real.k6;

function fixture(name: string): ScenarioFile {
  const dir = path.join(K6_FIXTURES, 'scripts');
  return { name: name.replace(/\.ts$/, ''), file: path.join(dir, name), dir };
}

describe.skipIf(!k6)(`runLoad with the real k6${k6 ? '' : ` (skipped: ${real.reason})`}`, () => {
  let server: Server;
  let baseUrl: string;
  let out: string;
  const writes: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/api/v1/write') writes.push(req.headers);
      req.resume();
      // /pause keeps the long fixture's iterations slow, so a 30 s run sends few requests.
      setTimeout(
        () => res.writeHead(req.url === '/api/v1/write' ? 204 : 200).end('ok'),
        req.url === '/pause' ? 200 : 1,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    out = await mkdtemp(path.join(tmpdir(), 'run-load-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(out, { recursive: true, force: true });
  });

  const opts = (name: string, over: Partial<LoadRunOptions> = {}): LoadRunOptions => ({
    scenario: fixture('runner.ts'),
    target: { environment: 'test', baseUrl, location: 'unit' },
    outDir: path.join(out, name),
    k6: k6!,
    ...over,
  });

  it('passes: one result for the flow, summary and log kept, plan announced first', async () => {
    const planned: string[][] = [];
    const lines: string[] = [];
    const run = await runLoad(
      opts('pass', { onPlan: (_p, groups) => void planned.push(groups), onLine: (l) => void lines.push(l) }),
    );
    expect(planned).toEqual([['get']]);
    expect(run.exitCode).toBe(0);
    expect(run.k6.exitCode).toBe(0);
    expect(run.results.map((r) => [r.id, r.status])).toEqual([['runner/get', 'pass']]);
    expect(run.results[0]!.steps.map((s) => s.name)).toEqual([
      'http_req_duration{flow:get} p(95)<1000',
      'http_req_failed{flow:get} rate<0.01',
    ]);
    expect(run.results[0]!.metrics?.http_req_duration_count).toBe(10);
    expect(existsSync(run.summaryFile!)).toBe(true);
    expect(readFileSync(run.logFile, 'utf8')).toContain('THRESHOLDS');
    expect(lines.some((l) => l.includes('THRESHOLDS'))).toBe(true);
  });

  it('breaches: k6 exits 99, the result fails with the observed p95, firedrill exits 1', async () => {
    const run = await runLoad(opts('breach', { scriptEnv: { LIMIT_MS: '0.001' } }));
    expect(run.k6.exitCode).toBe(99);
    expect(run.exitCode).toBe(1);
    const [r] = run.results;
    expect(r?.status).toBe('fail');
    expect(r?.error?.message).toMatch(
      /^http_req_duration\{flow:get\}: p\(95\)=[\d.]+ crosses the threshold p\(95\)<0\.001$/,
    );
  });

  it('streams metrics with remote write when the target has a Prometheus', async () => {
    writes.length = 0;
    const run = await runLoad(
      opts('rw', { target: { environment: 'test', baseUrl, location: 'unit', prometheusUrl: baseUrl } }),
    );
    expect(run.exitCode).toBe(0);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes[0]).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
    });
  });

  it('bundles with esbuild for a k6 too old to read TypeScript', async () => {
    const old = { ...k6!, version: { major: 0, minor: 50, patch: 0, text: 'k6 v0.50.0 (pretend)' } };
    const run = await runLoad(opts('old', { k6: old }));
    expect(existsSync(path.join(out, 'old', 'runner.bundle.js'))).toBe(true);
    expect(run.results[0]?.status).toBe('pass');
  });

  it('stops k6 at the hard timeout like Ctrl-C: the summary still arrives, the result is an error', async () => {
    const started = Date.now();
    const run = await runLoad(opts('timeout', { scriptEnv: { LONG: '1' }, timeoutMs: 2_000 }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.k6).toMatchObject({ exitCode: 105, stoppedBy: 'timeout' });
    expect(run.summaryFile).toBeDefined();
    expect(run.results[0]?.status).toBe('error');
    expect(run.results[0]?.error?.message).toMatch(
      /^k6 exit 105 \(ExternalAbort\): k6 was interrupted by a signal — firedrill stopped k6 after 2000ms/,
    );
    expect(run.exitCode).toBe(1);
  });

  it('stops k6 when the caller aborts', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1_500).unref();
    const run = await runLoad(opts('abort', { scriptEnv: { LONG: '1' }, signal: abort.signal }));
    expect(run.k6).toMatchObject({ exitCode: 105, stoppedBy: 'abort' });
  });

  it('a script that breaks in init is a setup error before any load', async () => {
    await expect(runLoad(opts('init', { scenario: fixture('init-exception.ts') }))).rejects.toThrow(
      new LoadSetupError('k6 inspect rejected the scenario (exit 107): Error: fixture: broken in init'),
    );
  });
});
