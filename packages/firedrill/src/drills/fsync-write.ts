import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, readProcInfo } from '../stack/processes.ts';

/**
 * Writes a file so that it is on disk before the call returns: temp file, fsync, rename, fsync of
 * the directory. The journal must survive a `kill -9` or a power cut the instant after it is written,
 * or a fault could be injected with no record of how to undo it.
 */
export async function writeFileDurable(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** This process' identity: a pid alone may be recycled, the start time from /proc tells them apart. */
export function selfIdentity(): { pid: number; procStart?: number } {
  const info = readProcInfo(process.pid);
  return info ? { pid: process.pid, procStart: info.procStart } : { pid: process.pid };
}

/** Whether the process that wrote a record still runs (same pid and, when recorded, same start time). */
export function ownerAlive(owner: { pid: number; procStart?: number }): boolean {
  if (!isAlive(owner.pid)) return false;
  if (owner.procStart === undefined) return true;
  return readProcInfo(owner.pid)?.procStart === owner.procStart;
}
