import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stackDown } from '../../../packages/firedrill/src/stack/down.ts';
import { markerFor } from '../../../packages/firedrill/src/stack/ensure.ts';
import { stackPaths } from '../../../packages/firedrill/src/stack/paths.ts';
import {
  isAlive,
  MARKER_VAR,
  readProcInfo,
  spawnDetached,
} from '../../../packages/firedrill/src/stack/processes.ts';
import { readStackState, writeStackState } from '../../../packages/firedrill/src/stack/state.ts';
import type { ComponentState, StackState } from '../../../packages/firedrill/src/stack/types.ts';

let dir: string;
const children: number[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-down-'));
});
afterEach(async () => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  await rm(dir, { recursive: true, force: true });
});

function record(pid: number, procStart: number): ComponentState {
  return {
    pid,
    procStart,
    startedAt: new Date().toISOString(),
    logFile: path.join(dir, 'x.log'),
    identity: 'sleep',
    command: ['sleep', '30'],
    launchHash: 'x',
    configHash: 'x',
  };
}

async function writeState(components: StackState['components']): Promise<void> {
  const ports = Object.fromEntries(
    [
      'opensearch',
      'opensearch-transport',
      'slack-sink',
      'demo-app',
      'pushgateway',
      'alertmanager',
      'prometheus',
      'firedrill-metrics',
      'firedrill-webhook',
    ].map((n, i) => [n, 1000 + i]),
  ) as StackState['ports'];
  await writeStackState({
    version: 1,
    stateDir: dir,
    root: '/',
    profile: 'fast',
    ports,
    components,
    updatedAt: new Date().toISOString(),
  });
}

describe('stackDown', () => {
  it('stops a process that is provably ours and removes the state', async () => {
    const marker = markerFor({ paths: stackPaths(dir) }, 'pushgateway');
    const s = await spawnDetached({
      command: 'sleep',
      args: ['30'],
      env: { PATH: process.env.PATH ?? '', [MARKER_VAR]: marker.slice(MARKER_VAR.length + 1) },
      cwd: dir,
      logFile: path.join(dir, 'x.log'),
    });
    children.push(s.pid);
    await writeState({ pushgateway: record(s.pid, s.procStart) });
    const result = await stackDown({ config: { stateDir: dir }, root: '/' });
    expect(result).toEqual({ stopped: [{ component: 'pushgateway', how: 'stopped' }], notRunning: [] });
    expect(isAlive(s.pid)).toBe(false);
    expect(await readStackState(dir)).toBeUndefined();
  });

  it('leaves alone a recorded pid now held by a stranger (no marker of this stack)', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(stranger.pid!);
    const procStart = readProcInfo(stranger.pid!)!.procStart;
    await writeState({ prometheus: record(stranger.pid!, procStart) });
    const result = await stackDown({ config: { stateDir: dir }, root: '/' });
    expect(result.stopped).toEqual([]);
    expect(result.notRunning).toEqual([
      { component: 'prometheus', reason: `pid ${stranger.pid} lacks FIREDRILL_STACK of this stack` },
    ]);
    expect(isAlive(stranger.pid!)).toBe(true);
  });

  it('is a no-op when nothing was started', async () => {
    expect(await stackDown({ config: { stateDir: dir }, root: '/' })).toEqual({
      stopped: [],
      notRunning: [],
    });
  });
});
