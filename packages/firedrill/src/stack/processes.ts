import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every process the stack starts carries this variable; its value names the stack dir and the component. */
export const MARKER_VAR = 'FIREDRILL_STACK';

export function processMarker(stackDir: string, component: string): string {
  return `${MARKER_VAR}=${stackDir}#${component}`;
}

export interface ProcInfo {
  pid: number;
  /** One letter from /proc/<pid>/stat: R, S, D, Z (zombie), T, ... */
  state: string;
  /** Clock ticks since boot at which the process started; survives exec, differs for a recycled pid. */
  procStart: number;
  cmdline: string[];
  /** Undefined when the kernel does not let us read it (another user's process). */
  environ?: string[];
}

export function readProcInfo(pid: number): ProcInfo | undefined {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name in parentheses may itself hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let environ: string[] | undefined;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  } catch {
    environ = undefined;
  }
  return {
    pid,
    state: fields[0] ?? '?',
    procStart: Number(fields[19]),
    cmdline: cmdline.split('\0').filter(Boolean),
    ...(environ ? { environ } : {}),
  };
}

/** Alive and not a zombie (a zombie still answers kill(pid, 0)). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const info = readProcInfo(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

export interface ProcessIdentity {
  /** From /proc/<pid>/stat when the process was spawned. */
  procStart?: number;
  /** A string that must occur in the command line (a config path in the state dir, a script path). */
  cmdlineIncludes: string;
  /** `FIREDRILL_STACK=…`, which must be in the process environment. */
  marker: string;
}

/**
 * Whether pid is still the process `up` started: same start time, a command line that names
 * our config, and our marker in its environment. Anything else is a stranger that must not be signalled.
 */
export function checkOwnership(
  pid: number,
  id: ProcessIdentity,
): { owned: true } | { owned: false; reason: string } {
  const info = readProcInfo(pid);
  if (!info || info.state === 'Z' || info.state === 'X')
    return { owned: false, reason: `pid ${pid} is not running` };
  if (id.procStart !== undefined && info.procStart !== id.procStart) {
    return { owned: false, reason: `pid ${pid} was reused by another process (different start time)` };
  }
  if (!info.cmdline.join(' ').includes(id.cmdlineIncludes)) {
    return { owned: false, reason: `pid ${pid} runs \`${info.cmdline.join(' ').slice(0, 120)}\`, not ours` };
  }
  if (!info.environ?.includes(id.marker)) {
    return { owned: false, reason: `pid ${pid} lacks ${id.marker.split('=')[0]} of this stack` };
  }
  return { owned: true };
}

export interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  procStart: number;
}

/**
 * Starts a process that outlives the CLI: its own process group (so Ctrl-C in the terminal does
 * not reach it and `down` can signal the whole group), output appended to its log file.
 */
export async function spawnDetached(spec: SpawnSpec): Promise<Spawned> {
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    writeSync(fd, `\n=== firedrill ${new Date().toISOString()}: ${[spec.command, ...spec.args].join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    const pid = child.pid!;
    return { child, pid, procStart: readProcInfo(pid)?.procStart ?? 0 };
  } finally {
    closeSync(fd);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * SIGTERM to the process group, then SIGKILL after `timeoutMs`. The caller has checked
 * ownership. Resolves with how the process ended.
 */
export async function stopProcess(pid: number, timeoutMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      // A child the leader left behind keeps the group (and so its id) alive: it is ours too.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
      return 'stopped';
    }
    await sleep(50);
  }
  signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (isAlive(pid) && Date.now() < killDeadline) await sleep(50);
  return 'killed';
}

/** The last `lines` lines of a file, read from its end (logs grow large). */
export async function tailFile(file: string, lines: number, maxBytes = 64 * 1024): Promise<string> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(file, 'r');
    const { size } = await fh.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const text = buf.toString('utf8').replace(/\n+$/, '');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    await fh?.close();
  }
}
