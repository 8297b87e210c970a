import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkOwnership,
  isAlive,
  processMarker,
  readProcInfo,
  spawnDetached,
  stopProcess,
  tailFile,
} from '../../../packages/firedrill/src/stack/processes.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-proc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const marker = () => processMarker(dir, 'demo');

async function startSleeper(seconds = '30') {
  const logFile = path.join(dir, 'sleeper.log');
  const env = { PATH: process.env.PATH ?? '', FIREDRILL_STACK: marker().split('=')[1]! };
  const s = await spawnDetached({ command: 'sleep', args: [seconds], env, cwd: dir, logFile });
  return { ...s, logFile };
}

describe('process ownership', () => {
  it('recognises the process it started', async () => {
    const s = await startSleeper();
    try {
      expect(
        checkOwnership(s.pid, { procStart: s.procStart, cmdlineIncludes: 'sleep', marker: marker() }),
      ).toEqual({
        owned: true,
      });
      // A process group of its own, so a terminal's Ctrl-C never reaches it.
      const stat = await readFile(`/proc/${s.pid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(s.pid);
    } finally {
      await stopProcess(s.pid, 2_000);
    }
  });

  it.each([
    [
      'another start time (a recycled pid)',
      { procStart: 1 },
      'was reused by another process (different start time)',
    ],
    ['another command line', { cmdlineIncludes: 'prometheus' }, 'runs `sleep 30`, not ours'],
    ['another stack', { marker: 'FIREDRILL_STACK=/elsewhere#demo' }, 'lacks FIREDRILL_STACK of this stack'],
  ])('refuses a process with %s', async (_what, override, reason) => {
    const s = await startSleeper();
    try {
      const id = { procStart: s.procStart, cmdlineIncludes: 'sleep', marker: marker(), ...override };
      expect(checkOwnership(s.pid, id)).toEqual({ owned: false, reason: `pid ${s.pid} ${reason}` });
    } finally {
      await stopProcess(s.pid, 2_000);
    }
  });

  it('refuses a pid that is gone', async () => {
    const s = await startSleeper('0');
    while (isAlive(s.pid)) await new Promise((r) => setTimeout(r, 20));
    expect(checkOwnership(s.pid, { cmdlineIncludes: 'sleep', marker: marker() })).toEqual({
      owned: false,
      reason: `pid ${s.pid} is not running`,
    });
  });

  it('reads start time, state and command line from /proc', () => {
    const info = readProcInfo(process.pid)!;
    expect(info.cmdline[0]).toContain('node');
    expect(info.state).toMatch(/[RS]/);
    expect(info.procStart).toBeGreaterThan(0);
  });
});

describe('stopProcess', () => {
  it('stops with SIGTERM', async () => {
    const s = await startSleeper();
    expect(await stopProcess(s.pid, 5_000)).toBe('stopped');
    expect(isAlive(s.pid)).toBe(false);
  });

  it('falls back to SIGKILL for a process that ignores SIGTERM', async () => {
    const logFile = path.join(dir, 'stubborn.log');
    const s = await spawnDetached({
      command: 'sh',
      args: ['-c', "trap '' TERM; echo trapped; while :; do sleep 0.1; done"],
      env: { PATH: process.env.PATH ?? '' },
      cwd: dir,
      logFile,
    });
    // The header line quotes the script too: wait for the echo's own line, i.e. the trap is set.
    while (!(await readFile(logFile, 'utf8')).split('\n').includes('trapped')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await stopProcess(s.pid, 300)).toBe('killed');
    expect(isAlive(s.pid)).toBe(false);
  });

  it('reports a pid that had already exited', async () => {
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    expect(await stopProcess(child.pid!, 100)).toBe('gone');
  });
});

describe('log files', () => {
  it('appends a header per start, then the process output; tailFile returns the last lines', async () => {
    const logFile = path.join(dir, 'echo.log');
    for (const word of ['one', 'two']) {
      const s = await spawnDetached({ command: 'echo', args: [word], env: {}, cwd: dir, logFile });
      await new Promise((r) => s.child.once('exit', r));
    }
    const text = await readFile(logFile, 'utf8');
    expect(text.match(/=== firedrill .*: echo (one|two)/g)).toHaveLength(2);
    expect(await tailFile(logFile, 1)).toBe('two');
  });
});
