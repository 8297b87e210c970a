import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { groupingUrl } from '../../../packages/firedrill/src/metrics/pushgateway.ts';
import { MetricsReporter } from '../../../packages/firedrill/src/reporters/metrics.ts';
import { parseExposition, sample } from './exposition.ts';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const result = (id: string, status: Result['status']): Result => ({
  id,
  name: id,
  kind: 'probe',
  status,
  runId: 'r',
  start: Date.now(),
  durationMs: 250,
  location: 'eu west/1',
  steps: [],
  artifacts: [],
});

/** The real Debian Pushgateway on a loopback port: what `firedrill probe --push` talks to. */
describe('push to the Pushgateway', () => {
  let gw: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-pgw-'));
    gw = spawn(
      'prometheus-pushgateway',
      [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${dir}/data`],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('pushgateway did not become ready');
  }, 20_000);
  afterAll(() => {
    gw.kill('SIGTERM');
  });

  it('pushes one group per probe under job firedrill-push: a later run replaces only its own probe', async () => {
    const first = new MetricsReporter({ probes: [{ id: 'api', kind: 'http', location: 'eu west/1' }] });
    first.onResult(result('api', 'fail'));
    first.onResult(result('other-probe', 'pass'));
    const targets = await first.push({ gateway: { baseUrl: url } });
    expect(targets).toEqual([
      `${url}/metrics/job/firedrill-push/location@base64/ZXUgd2VzdC8x/probe/api`,
      `${url}/metrics/job/firedrill-push/location@base64/ZXUgd2VzdC8x/probe/other-probe`,
    ]);

    // A second CI run that probes only `api`: `other-probe` keeps its series.
    const second = new MetricsReporter({ probes: [{ id: 'api', kind: 'http', location: 'eu west/1' }] });
    second.onResult(result('api', 'pass'));
    await second.push({ gateway: { baseUrl: url } });

    const samples = parseExposition(await (await fetch(`${url}/metrics`)).text());
    const labels = { job: 'firedrill-push', location: 'eu west/1', kind: 'http' };
    expect(sample(samples, 'probe_success', { ...labels, probe: 'api' })).toBe(1);
    expect(sample(samples, 'firedrill_probe_last_result', { ...labels, probe: 'api', result: 'fail' })).toBe(
      0,
    );
    expect(sample(samples, 'probe_success', { probe: 'other-probe' })).toBe(1);
    // No counter that would restart at 1 with every push.
    expect(samples.some((s) => s.name === 'firedrill_runs_total' && s.labels.job === 'firedrill-push')).toBe(
      false,
    );
  });

  it('pushes a drill to its own group, by environment and drill', async () => {
    const reporter = new MetricsReporter();
    reporter.onResult({
      ...result('api-error-rate', 'pass'),
      kind: 'drill',
      environment: 'staging',
      metrics: { hop_ms_notify: 2500 },
    });
    expect(await reporter.push({ gateway: { baseUrl: url } })).toEqual([
      `${url}/metrics/job/firedrill-push/environment/staging/drill/api-error-rate`,
    ]);
    const samples = parseExposition(await (await fetch(`${url}/metrics`)).text());
    const labels = { job: 'firedrill-push', environment: 'staging', drill: 'api-error-rate' };
    expect(sample(samples, 'firedrill_drill_last_result', { ...labels, result: 'pass' })).toBe(1);
    expect(sample(samples, 'firedrill_drill_last_hop_seconds', { ...labels, hop: 'notify' })).toBe(2.5);
  });

  it('says where and why a push failed', async () => {
    const reporter = new MetricsReporter();
    reporter.onResult({ ...result('api', 'pass'), location: 'x' });
    const closed = await freePort();
    await expect(reporter.push({ gateway: { baseUrl: `http://127.0.0.1:${closed}` } })).rejects.toThrow(
      `pushing metrics to http://127.0.0.1:${closed}/metrics/job/firedrill-push/location/x/probe/api failed: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
    await expect(reporter.push({ gateway: { baseUrl: `${url}/nope/` } })).rejects.toThrow(
      `pushing metrics to ${url}/nope/metrics/job/firedrill-push/location/x/probe/api failed: HTTP 404`,
    );
  });
});

describe('grouping URLs', () => {
  it.each([
    [{ location: 'lab' }, 'http://pg:9091/metrics/job/firedrill/location/lab'],
    [{ location: 'a/b' }, 'http://pg:9091/metrics/job/firedrill/location@base64/YS9i'],
    [{ location: '' }, 'http://pg:9091/metrics/job/firedrill/location@base64/='],
    [{}, 'http://pg:9091/metrics/job/firedrill'],
  ])('%j', (grouping, want) => {
    expect(groupingUrl('http://pg:9091/', 'firedrill', grouping)).toBe(want);
  });
});
