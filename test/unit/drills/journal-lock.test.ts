import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Journal, listJournals } from '../../../packages/firedrill/src/drills/journal.ts';
import { acquireTargetLock, lockFile, TargetBusyError } from '../../../packages/firedrill/src/drills/lock.ts';
import { clearStaleLocks, replayJournals } from '../../../packages/firedrill/src/drills/replay.ts';
import { rollbackFaults } from '../../../packages/firedrill/src/drills/rollback.ts';
import type { Fault, FaultSpec } from '../../../packages/firedrill/src/faults/index.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'firedrill-journal-'));
const shellSpec = (inject: string, rollback: string): FaultSpec => ({
  type: 'shell',
  inject,
  rollback,
  timeoutMs: 5000,
});

/** A pid that surely belongs to nobody any more: a child that already exited. */
function deadPid(): number {
  return spawnSync('/bin/true').pid!;
}

describe('Journal', () => {
  it('is written before the fault and completed after; never holds the fault token', async () => {
    const dir = tmp();
    const j = await Journal.create(dir, {
      runId: 'd-1',
      drillId: 'd',
      environment: 'local',
      target: { baseUrl: 'http://127.0.0.1:1', faultToken: 'secret-token' },
    });
    const i = await j.intend(shellSpec('true', 'true'), 'shell: true');
    const onDisk = () => JSON.parse(readFileSync(j.file, 'utf8'));
    expect(onDisk().faults[0].injected).toBeUndefined();
    await j.injected(i, { type: 'shell', target: 'true', ids: [], injectedAt: 1 });
    expect(onDisk()).toMatchObject({
      runId: 'd-1',
      pid: process.pid,
      faults: [{ description: 'shell: true', injected: { injectedAt: 1 } }],
    });
    expect(readFileSync(j.file, 'utf8')).not.toContain('secret-token');
    const listed = await listJournals(dir);
    expect(listed).toMatchObject([{ file: j.file, ownerRunning: false }]);
    await j.remove();
    expect(existsSync(j.file)).toBe(false);
  });
});

describe('target lock', () => {
  it('refuses a second drill on the same target while the first holds it', async () => {
    const dir = tmp();
    const a = await acquireTargetLock(dir, 'http://127.0.0.1:8080/', { runId: 'a-1', drillId: 'a' });
    // Same URL with or without the trailing slash is the same target.
    const err = await acquireTargetLock(dir, 'http://127.0.0.1:8080', { runId: 'b-1', drillId: 'b' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TargetBusyError);
    expect((err as Error).message).toMatch(
      /^target http:\/\/127\.0\.0\.1:8080\/ is busy: drill a \(run a-1, pid \d+\) has held it since /,
    );
    await a.release();
    const b = await acquireTargetLock(dir, 'http://127.0.0.1:8080', { runId: 'b-1', drillId: 'b' });
    await b.release();
    expect(existsSync(lockFile(dir, 'http://127.0.0.1:8080'))).toBe(false);
  });

  it('takes over a lock whose owner is dead (stale pid)', async () => {
    const dir = tmp();
    const file = lockFile(dir, 'http://t');
    const first = await acquireTargetLock(dir, 'http://t', { runId: 'x-1', drillId: 'x' });
    const rec = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...rec, pid: deadPid(), runId: 'dead-1' }));
    const second = await acquireTargetLock(dir, 'http://t', { runId: 'y-1', drillId: 'y' });
    expect(second.tookOverFrom?.runId).toBe('dead-1');
    await first.release(); // not ours any more: must leave y's lock alone
    expect(JSON.parse(readFileSync(file, 'utf8')).runId).toBe('y-1');
    await second.release();
  });

  it('clearStaleLocks removes only dead owners', async () => {
    const dir = tmp();
    const live = await acquireTargetLock(dir, 'http://live', { runId: 'l', drillId: 'l' });
    await acquireTargetLock(dir, 'http://dead', { runId: 'd', drillId: 'd' });
    const deadFile = lockFile(dir, 'http://dead');
    writeFileSync(
      deadFile,
      JSON.stringify({ ...JSON.parse(readFileSync(deadFile, 'utf8')), pid: deadPid() }),
    );
    expect(await clearStaleLocks(dir)).toEqual(['http://dead']);
    await live.release();
  });
});

describe('rollbackFaults', () => {
  it('rolls every fault back in reverse order even when one fails, retrying once', async () => {
    const order: string[] = [];
    const fault = (name: string, fails: number): Fault => {
      let left = fails;
      return {
        spec: shellSpec('true', 'true'),
        describe: () => name,
        inject: async () => ({ type: 'shell', target: name, ids: [], injectedAt: 0 }),
        rollback: async () => {
          order.push(name);
          if (left-- > 0) throw new Error(`${name} refused`);
          return { cleared: true };
        },
      };
    };
    const ctx = {
      target: { baseUrl: 'x' },
      drillId: 'd',
      runId: 'r',
      signal: new AbortController().signal,
      logger: pino({ enabled: false }),
      recordRequestId: () => {},
    };
    const report = await rollbackFaults(
      [{ fault: fault('a', 0) }, { fault: fault('b', 5) }, { fault: fault('c', 1) }],
      ctx,
    );
    expect(order).toEqual(['c', 'c', 'b', 'b', 'a']);
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual(['b: b refused']);
    expect(report.outcomes.map((o) => [o.description, o.cleared])).toEqual([
      ['c', true],
      ['b', false],
      ['a', true],
    ]);
  });
});

describe('kill -9 mid-fault, then `firedrill rollback`', () => {
  it('leaves the journal; replay undoes the fault, removes the journal, and is idempotent', async () => {
    const dir = tmp();
    const marker = path.join(dir, 'fault-on');
    // A child process writes a journal, "injects" (creates the marker file) and waits to be killed.
    const script = `
      import { Journal } from '${path.resolve(import.meta.dirname, '../../../packages/firedrill/src/drills/journal.ts')}';
      import { writeFileSync } from 'node:fs';
      const j = await Journal.create(${JSON.stringify(dir)}, { runId: 'crash-1', drillId: 'crash', environment: 'local', target: { baseUrl: 'http://127.0.0.1:9' } });
      const i = await j.intend({ type: 'shell', inject: 'touch ${marker}', rollback: 'rm ${marker}' }, 'shell: touch marker');
      writeFileSync(${JSON.stringify(marker)}, '');
      await j.injected(i, { type: 'shell', target: 'touch', ids: [], injectedAt: Date.now() });
      process.stdout.write('injected\\n');
      setInterval(() => {}, 1000);
    `;
    const file = path.join(dir, 'child.mts');
    writeFileSync(file, script);
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('injected') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    // While the drill still runs, its journal is not "leftover".
    const running = await replayJournals({
      stateDir: dir,
      logger: pino({ enabled: false }),
      contextFor: async (r) => ({ target: r.target }),
    });
    expect(running.journals.map((j) => j.outcome)).toEqual(['running']);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(marker)).toBe(true);
    const first = await replayJournals({
      stateDir: dir,
      logger: pino({ enabled: false }),
      contextFor: async (r) => ({ target: r.target }),
    });
    expect(first.journals).toMatchObject([
      {
        runId: 'crash-1',
        drillId: 'crash',
        outcome: 'cleared',
        faults: [
          {
            description: expect.stringMatching(/^shell: touch .*fault-on \(rollback: rm /),
            detail: expect.stringMatching(/^ran in \d+ ms$/),
          },
        ],
      },
    ]);
    expect(existsSync(marker)).toBe(false);
    const again = await replayJournals({
      stateDir: dir,
      logger: pino({ enabled: false }),
      contextFor: async (r) => ({ target: r.target }),
    });
    expect(again.journals).toEqual([]);
  }, 30_000);
});
