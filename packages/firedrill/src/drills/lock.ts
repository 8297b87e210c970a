import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ownerAlive, selfIdentity, syncDir } from './fsync-write.ts';

export interface LockRecord {
  pid: number;
  procStart?: number;
  runId: string;
  drillId: string;
  target: string;
  /** ISO-8601. */
  since: string;
}

/** Another live drill holds the target. */
export class TargetBusyError extends Error {
  override name = 'TargetBusyError';
  constructor(readonly holder: LockRecord) {
    super(
      `target ${holder.target} is busy: drill ${holder.drillId} (run ${holder.runId}, pid ${holder.pid}) has held it since ${holder.since}`,
    );
  }
}

export function lockFile(stateDir: string, target: string): string {
  // One file per target URL, named by a hash: URLs hold characters file names cannot.
  const key = createHash('sha256').update(target.replace(/\/+$/, '')).digest('hex').slice(0, 16);
  return path.join(stateDir, 'locks', `${key}.lock`);
}

export interface TargetLock {
  file: string;
  release(): Promise<void>;
  /** A lock left by a dead process that was taken over. */
  tookOverFrom?: LockRecord;
}

/**
 * Takes the per-target lock so that two drills never inject into one target at once, across
 * processes. `O_EXCL` creation is the atomic step; a lock whose owner is dead (pid gone, or
 * recycled: start time differs) is stale and taken over.
 */
export async function acquireTargetLock(
  stateDir: string,
  target: string,
  who: { runId: string; drillId: string },
): Promise<TargetLock> {
  const file = lockFile(stateDir, target);
  await mkdir(path.dirname(file), { recursive: true });
  const record: LockRecord = { ...selfIdentity(), ...who, target, since: new Date().toISOString() };
  let tookOverFrom: LockRecord | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(record)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await syncDir(path.dirname(file));
      return {
        file,
        ...(tookOverFrom ? { tookOverFrom } : {}),
        release: async () => {
          // Only remove it if it is still ours (a stale-lock takeover by someone else must survive).
          const now = await readLock(file);
          if (now?.runId === record.runId) await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLock(file);
    if (holder && ownerAlive(holder)) throw new TargetBusyError(holder);
    // Stale (or torn by a crash mid-write): remove and try again.
    tookOverFrom = holder;
    await rm(file, { force: true });
  }
  throw new Error(`could not take the lock ${file} after 3 attempts`);
}

async function readLock(file: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}
