import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stackPaths } from './paths.ts';
import { isAlive } from './processes.ts';
import { StackError, type StackPorts, type StackState } from './types.ts';

/** Writes through a temp file and rename, so a reader never sees half a file. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StackError(
      `${file}: unreadable (${(err as Error).message}); remove it and run \`stack up\` again`,
    );
  }
}

/** The state `stack up` recorded in `<stateDir>/stack/state.json`, or undefined when nothing runs. */
export async function readStackState(stateDir: string): Promise<StackState | undefined> {
  const raw = await readJson(stackPaths(stateDir).stateFile);
  if (raw === undefined) return undefined;
  const state = raw as StackState;
  if (state.version !== 1 || typeof state.components !== 'object' || typeof state.ports !== 'object') {
    throw new StackError(`${stackPaths(stateDir).stateFile}: not a firedrill stack state (version 1)`);
  }
  return state;
}

export async function writeStackState(state: StackState): Promise<void> {
  await writeFileAtomic(stackPaths(state.stateDir).stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeStackState(stateDir: string): Promise<void> {
  await rm(stackPaths(stateDir).stateFile, { force: true });
}

export async function readPorts(stateDir: string): Promise<Partial<StackPorts>> {
  return ((await readJson(stackPaths(stateDir).portsFile)) ?? {}) as Partial<StackPorts>;
}

export async function writePorts(stateDir: string, ports: StackPorts): Promise<void> {
  await writeFileAtomic(stackPaths(stateDir).portsFile, `${JSON.stringify(ports, null, 2)}\n`);
}

/**
 * Components become ready concurrently and each records itself at once (so a crash half-way
 * through `up` still leaves `down` a full list); this queue keeps those writes in order.
 */
export class StateWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly state: StackState) {}

  update(mutate: (s: StackState) => void): Promise<void> {
    mutate(this.state);
    this.state.updatedAt = new Date().toISOString();
    const snapshot = JSON.parse(JSON.stringify(this.state)) as StackState;
    this.chain = this.chain.then(() => writeStackState(snapshot));
    return this.chain;
  }
}

/**
 * One `up` or `down` at a time per state dir: a CLI user and a test run's global setup must not
 * both start Prometheus on the same ports. A lock whose holder died is taken over.
 */
export async function acquireStackLock(
  stateDir: string,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<() => Promise<void>> {
  const { lockFile } = stackPaths(stateDir);
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  for (;;) {
    opts.signal?.throwIfAborted();
    // link() either creates the lock with its pid already inside or fails: no window in which
    // another process reads an empty lock and takes it for a dead one.
    const tmp = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, String(process.pid));
    try {
      await link(tmp, lockFile);
      return () => rm(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `another firedrill process (pid ${holder}) is starting or stopping this stack (${lockFile})`,
      );
    }
    await sleep(200, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}
