import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stackPaths } from '../../../packages/firedrill/src/stack/paths.ts';
import {
  acquireStackLock,
  readStackState,
  StateWriter,
  writeStackState,
} from '../../../packages/firedrill/src/stack/state.ts';
import type { StackState } from '../../../packages/firedrill/src/stack/types.ts';
import { stackUrls } from '../../../packages/firedrill/src/stack/urls.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = (stateDir: string): StackState => ({
  version: 1,
  stateDir,
  root: '/project',
  profile: 'fast',
  ports: {
    opensearch: 1,
    'opensearch-transport': 2,
    'slack-sink': 3,
    'demo-app': 4,
    pushgateway: 5,
    alertmanager: 6,
    prometheus: 7,
    'firedrill-metrics': 8,
    'firedrill-webhook': 9,
  },
  components: {
    prometheus: {
      pid: 1234,
      procStart: 99,
      port: 7,
      url: 'http://127.0.0.1:7',
      startedAt: '2026-01-01T00:00:00.000Z',
      readyMs: 5100,
      logFile: `${stateDir}/stack/logs/prometheus.log`,
      configFile: `${stateDir}/stack/prometheus/prometheus.yml`,
      identity: `--config.file=${stateDir}/stack/prometheus/prometheus.yml`,
      command: ['/usr/bin/prometheus'],
      launchHash: 'a',
      configHash: 'b',
    },
  },
  updatedAt: '2026-01-01T00:00:05.000Z',
});

describe('state file', () => {
  it('round-trips through <stateDir>/stack/state.json', async () => {
    const state = sample(dir);
    await writeStackState(state);
    expect(await readStackState(dir)).toEqual(state);
    // Written through a temp file and a rename: nothing else is left behind.
    expect(await readdir(stackPaths(dir).stackDir)).toEqual(['state.json']);
  });

  it('is undefined when the stack was never started', async () => {
    expect(await readStackState(dir)).toBeUndefined();
  });

  it('rejects a file that is not a firedrill state', async () => {
    await mkdir(stackPaths(dir).stackDir, { recursive: true });
    await writeFile(stackPaths(dir).stateFile, '{"version": 7}');
    await expect(readStackState(dir)).rejects.toThrow(
      `${stackPaths(dir).stateFile}: not a firedrill stack state (version 1)`,
    );
  });

  it('keeps concurrent updates in order', async () => {
    const writer = new StateWriter(sample(dir));
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        writer.update((s) => {
          s.components.prometheus!.readyMs = i;
        }),
      ),
    );
    expect((await readStackState(dir))?.components.prometheus?.readyMs).toBe(5);
  });
});

describe('stackUrls', () => {
  it('derives every URL from the recorded ports', () => {
    const urls = stackUrls(sample(dir));
    expect({ ...urls, slackWebhookUrl: urls.slackWebhookUrl('#alerts-critical') }).toEqual({
      baseUrl: 'http://127.0.0.1:4',
      prometheusUrl: 'http://127.0.0.1:7',
      alertmanagerUrl: 'http://127.0.0.1:6',
      pushgatewayUrl: 'http://127.0.0.1:5',
      elasticsearchUrl: 'http://127.0.0.1:1',
      slackApiUrl: 'http://127.0.0.1:3/api',
      slackWebhookUrl: 'http://127.0.0.1:3/hooks/alerts-critical',
      firedrillMetricsPort: 8,
      firedrillWebhookUrl: 'http://127.0.0.1:9/alertmanager',
    });
    expect(urls.slackWebhookUrl('alerts-warning')).toBe('http://127.0.0.1:3/hooks/alerts-warning');
  });
});

describe('stack lock', () => {
  it('admits one holder at a time', async () => {
    const release = await acquireStackLock(dir);
    let second = false;
    const waiting = acquireStackLock(dir).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(second).toBe(false);
    await release();
    await (await waiting)();
    expect(second).toBe(true);
  });

  it('takes over a lock whose holder died', async () => {
    const child = spawn('true');
    const deadPid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    await mkdir(stackPaths(dir).stackDir, { recursive: true });
    await writeFile(stackPaths(dir).lockFile, String(deadPid));
    const release = await acquireStackLock(dir, { timeoutMs: 1_000 });
    await release();
  });

  it('names the live holder when it gives up', async () => {
    await mkdir(stackPaths(dir).stackDir, { recursive: true });
    await writeFile(stackPaths(dir).lockFile, '1');
    await expect(acquireStackLock(dir, { timeoutMs: 300 })).rejects.toThrow(
      `another firedrill process (pid 1) is starting or stopping this stack (${stackPaths(dir).lockFile})`,
    );
  });
});
