import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../packages/firedrill/src/config/load.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import { runCli, TEST_CONFIG } from '../fixtures/probes-integration/cli.ts';
import { promQuery, type TestStack, testStack, waitFor } from './stack-env.ts';

// The probes issue's "done when", on the real local stack: `firedrill probe` as CI runs it (a
// child process, real Chromium, the demo app, the Pushgateway scraped by the real Prometheus),
// a broken login turning the login probe red, and setup mistakes exiting 2.

const SHIPPED = ['api', 'image-processing', 'image-processing-http', 'login'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let stack: TestStack;
let tmp: string;

interface JsonReport {
  exitCode: number;
  results: Result[];
}

beforeAll(async () => {
  stack = await testStack();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'firedrill-probes-it-'));
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function faults(method: 'POST' | 'DELETE', body?: unknown): Promise<Response> {
  return fetch(`${stack.urls.baseUrl}/__faults`, {
    method,
    headers: {
      authorization: `Bearer ${stack.faultToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

describe('the test config', () => {
  it('takes its project root from `root`, so the repo probes/ and the test stack state dir are used', async () => {
    const loaded = await loadConfig(TEST_CONFIG, stack.root);
    expect(loaded.root).toBe(stack.root);
    expect(path.resolve(loaded.root, loaded.config.stateDir)).toBe(inject('stackStateDir'));
  });
});

describe('firedrill probe on the local stack', () => {
  it('passes every shipped probe, writes JUnit/JSON/metrics files and pushes to the Pushgateway that Prometheus reads', async () => {
    const out = path.join(tmp, 'all');
    const started = Date.now();
    const run = await runCli(stack.root, [
      'probe',
      '--out',
      out,
      '--reporter',
      `junit=${path.join(out, 'junit.xml')}`,
      '--reporter',
      `json=${path.join(out, 'r.json')}`,
      '--reporter',
      `metrics=${path.join(out, 'probes.prom')}`,
      '--push',
    ]);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`[probes] firedrill probe (4 shipped probes, push) took ${seconds.toFixed(1)} s\n`);
    expect(run.code, run.stderr).toBe(0);

    const report = JSON.parse(await readFile(path.join(out, 'r.json'), 'utf8')) as JsonReport;
    expect(report.exitCode).toBe(0);
    expect(report.results.map((r) => [r.id, r.status]).sort()).toEqual(SHIPPED.map((id) => [id, 'pass']));
    for (const r of report.results) {
      expect(r.steps.length, r.id).toBeGreaterThan(0);
      expect(r.steps.every((s) => s.status === 'pass')).toBe(true);
    }
    expect(Object.fromEntries(report.results.map((r) => [r.id, r.probeKind]))).toEqual({
      api: 'http',
      'image-processing': 'browser',
      'image-processing-http': 'http',
      login: 'browser',
    });

    // A real JUnit parser, not a regex: what a CI server would read.
    const xml = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (n) => n === 'testcase' || n === 'testsuite',
    });
    const junit = xml.parse(await readFile(path.join(out, 'junit.xml'), 'utf8')) as {
      testsuites: {
        '@tests': string;
        '@failures': string;
        '@errors': string;
        testsuite: { testcase: { '@name': string; failure?: unknown; error?: unknown }[] }[];
      };
    };
    const cases = junit.testsuites.testsuite.flatMap((s) => s.testcase);
    expect(cases).toHaveLength(4);
    expect(cases.filter((c) => c.failure !== undefined || c.error !== undefined)).toEqual([]);
    expect(Number(junit.testsuites['@failures'])).toBe(0);
    expect(Number(junit.testsuites['@errors'])).toBe(0);

    // The registry's metrics reporter knows no probe list: the kind label comes from the Result.
    const prom = await readFile(path.join(out, 'probes.prom'), 'utf8');
    expect(prom).toMatch(/^probe_success\{probe="login",kind="browser",location="local"\} 1$/m);
    expect(prom).toMatch(/^probe_success\{probe="api",kind="http",location="local"\} 1$/m);

    // This run's push, not an older one: the group's push time is after the run started.
    const pushed = await waitFor('this push in Prometheus', async () => {
      const t = await promQuery(
        stack.urls,
        'push_time_seconds{job="firedrill-push",location="local",probe="login"}',
      );
      return t !== undefined && t * 1000 >= started - 1000 ? t : undefined;
    });
    expect(pushed * 1000).toBeGreaterThanOrEqual(started - 1000);
    const login = await waitFor('probe_success{probe="login"} in Prometheus', () =>
      promQuery(
        stack.urls,
        'probe_success{job="firedrill-push",probe="login",kind="browser",location="local"}',
      ),
    );
    expect(login).toBe(1);
    const steps = await promQuery(
      stack.urls,
      'count(firedrill_step_last_duration_seconds{job="firedrill-push",probe="login"})',
    );
    expect(steps).toBe(5);
  });

  it('turns the login probe red at "submit login" with a clear message and a real screenshot while logins fail', async () => {
    const out = path.join(tmp, 'broken');
    const inject = await faults('POST', { kind: 'login-failure', ttlSeconds: 60 });
    try {
      expect(inject.status, await inject.clone().text()).toBe(201);
      const run = await runCli(stack.root, [
        'probe',
        'login',
        '--out',
        out,
        '--reporter',
        `json=${path.join(out, 'r.json')}`,
      ]);
      expect(run.code, run.stderr).toBe(1);
      const report = JSON.parse(await readFile(path.join(out, 'r.json'), 'utf8')) as JsonReport;
      expect(report.results).toHaveLength(1);
      const login = report.results[0]!;
      expect(login.status).toBe('fail');
      // The probe retries once: both tries failed, and it is not flaky.
      expect(login.attempt).toBe(2);
      expect(login.flaky).toBeUndefined();
      const failed = login.steps.find((s) => s.status !== 'pass');
      expect(failed?.name).toBe('submit login');
      expect(login.steps.at(-1)?.name).toBe('submit login');
      expect(login.steps.slice(0, -1).map((s) => [s.name, s.status])).toEqual([
        ['open login page', 'pass'],
        ['fill credentials', 'pass'],
      ]);
      expect(login.error?.message).toMatch(/^login rejected: "/);
      expect(failed?.error?.message).toBe(login.error?.message);

      const shot = login.artifacts.find((a) => a.kind === 'screenshot');
      expect(shot, JSON.stringify(login.artifacts)).toBeDefined();
      const file = path.isAbsolute(shot!.path) ? shot!.path : path.resolve(out, shot!.path);
      const png = readFileSync(file);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(200);
      expect(meta.height).toBeGreaterThan(200);
      expect(login.artifacts.map((a) => a.kind)).toContain('trace');
    } finally {
      const cleared = await faults('DELETE');
      expect(cleared.ok).toBe(true);
    }
  });

  it('exits 2 naming the known probes when asked for one that does not exist', async () => {
    const run = await runCli(stack.root, ['probe', 'no-such-probe', '--reporter', 'json=-']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'unknown probe "no-such-probe" (have: api, image-processing-http, image-processing, login)',
    );
  });

  it('loads probes from --probes <dir>, and exits 2 for a folder that is not there', async () => {
    const dir = path.join('test', 'fixtures', 'probes-integration', 'probes');
    const out = path.join(tmp, 'dir');
    const run = await runCli(stack.root, [
      'probe',
      'tick',
      '--probes',
      dir,
      '--out',
      out,
      '--reporter',
      `json=${path.join(out, 'r.json')}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'r.json'), 'utf8')) as JsonReport;
    expect(report.results.map((r) => [r.id, r.status])).toEqual([['tick', 'pass']]);

    const missing = await runCli(stack.root, ['probe', '--probes', 'test/fixtures/no-such-dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--probes: no folder .*test\/fixtures\/no-such-dir/);
  });
});
