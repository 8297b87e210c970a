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

  it('groups by job firedrill and location, and a second push replaces the group', async () => {
    const first = new MetricsReporter({ probes: [{ id: 'api', kind: 'http', location: 'eu west/1' }] });
    first.onResult(result('api', 'fail'));
    first.onResult(result('old-probe', 'pass'));
    const target = await first.push({ gateway: { baseUrl: url }, grouping: { location: 'eu west/1' } });
    expect(target).toBe(`${url}/metrics/job/firedrill/location@base64/ZXUgd2VzdC8x`);

    const second = new MetricsReporter({ probes: [{ id: 'api', kind: 'http', location: 'eu west/1' }] });
    second.onResult(result('api', 'pass'));
    await second.push({ gateway: { baseUrl: url }, grouping: { location: 'eu west/1' } });

    const samples = parseExposition(await (await fetch(`${url}/metrics`)).text());
    const labels = { job: 'firedrill', location: 'eu west/1', probe: 'api', kind: 'http' };
    expect(sample(samples, 'probe_success', labels)).toBe(1);
    expect(samples.some((s) => s.labels.probe === 'old-probe')).toBe(false);
  });

  it('says where and why a push failed', async () => {
    const reporter = new MetricsReporter();
    const closed = await freePort();
    await expect(
      reporter.push({ gateway: { baseUrl: `http://127.0.0.1:${closed}` }, grouping: { location: 'x' } }),
    ).rejects.toThrow(
      `pushing metrics to http://127.0.0.1:${closed}/metrics/job/firedrill/location/x failed: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
    await expect(
      reporter.push({ gateway: { baseUrl: `${url}/nope/` }, grouping: { location: 'x' } }),
    ).rejects.toThrow(`pushing metrics to ${url}/nope/metrics/job/firedrill/location/x failed: HTTP 404`);
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
