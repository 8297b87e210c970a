import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { createFault } from '../faults/index.ts';
import type { FaultContext } from '../faults/types.ts';
import { ownerAlive } from './fsync-write.ts';
import { type JournalRecord, listJournals } from './journal.ts';
import type { LockRecord } from './lock.ts';
import { rollbackFaults } from './rollback.ts';

export interface ReplayedJournal {
  file: string;
  runId?: string;
  drillId?: string;
  /** `cleared`: every fault undone and the journal removed; `running`: its drill still runs, left alone. */
  outcome: 'cleared' | 'failed' | 'running' | 'unreadable';
  faults: { description: string; detail: string }[];
  error?: string;
}

export interface ReplayOptions {
  stateDir: string;
  logger: Logger;
  /** The fault token and crash-restart hook for a journal's environment; tokens are never journalled. */
  contextFor(record: JournalRecord): Promise<Pick<FaultContext, 'target' | 'restartStack'>>;
}

/**
 * `firedrill rollback`: undoes what crashed drill runs left behind, as their journals record it.
 * Idempotent: a fault already gone (expired by its TTL, removed by hand) counts as undone, and a
 * journal is deleted only once everything in it is undone. Journals of runs still alive are left alone.
 */
export async function replayJournals(
  opts: ReplayOptions,
): Promise<{ journals: ReplayedJournal[]; staleLocks: string[] }> {
  const journals: ReplayedJournal[] = [];
  for (const j of await listJournals(opts.stateDir)) {
    if (!j.record) {
      journals.push({ file: j.file, outcome: 'unreadable', faults: [], error: j.unreadable ?? 'unreadable' });
      continue;
    }
    const r = j.record;
    const base = { file: j.file, runId: r.runId, drillId: r.drillId };
    if (j.ownerRunning) {
      journals.push({
        ...base,
        outcome: 'running',
        faults: r.faults.map((f) => ({ description: f.description, detail: `pid ${r.pid} still runs` })),
      });
      continue;
    }
    const faults: ReplayedJournal['faults'] = [];
    try {
      const ctxPart = await opts.contextFor(r);
      const ctx: FaultContext = {
        ...ctxPart,
        drillId: r.drillId,
        runId: r.runId,
        signal: new AbortController().signal,
        logger: opts.logger.child({ component: 'rollback', id: r.drillId, runId: r.runId }),
        recordRequestId: () => {},
      };
      const applied = r.faults.map((f) => ({
        fault: createFault(f.spec),
        ...(f.injected ? { injected: f.injected } : {}),
      }));
      const report = await rollbackFaults(applied, ctx);
      for (const o of report.outcomes) {
        faults.push({
          description: o.description,
          detail: o.error
            ? `failed: ${o.error}`
            : o.cleared
              ? (o.detail ?? 'undone')
              : `already gone${o.detail ? ` (${o.detail})` : ''}`,
        });
      }
      if (!report.ok) throw new Error(report.errors.join('; '));
      await rm(j.file, { force: true });
      journals.push({ ...base, outcome: 'cleared', faults });
    } catch (err) {
      journals.push({ ...base, outcome: 'failed', faults, error: (err as Error).message });
    }
  }
  return { journals, staleLocks: await clearStaleLocks(opts.stateDir) };
}

/** Removes lock files whose owner process is gone; returns the targets they held. */
export async function clearStaleLocks(stateDir: string): Promise<string[]> {
  const dir = path.join(stateDir, 'locks');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.lock'));
  } catch {
    return [];
  }
  const cleared: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const lock = JSON.parse(await readFile(file, 'utf8')) as LockRecord;
      if (ownerAlive(lock)) continue;
      await rm(file, { force: true });
      cleared.push(lock.target);
    } catch {
      await rm(file, { force: true });
      cleared.push(name);
    }
  }
  return cleared;
}
