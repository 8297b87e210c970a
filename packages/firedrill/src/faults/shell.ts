import { spawn } from 'node:child_process';
import { z } from 'zod';
import { defineFaultKind } from './kind.ts';
import { type Fault, type FaultContext, FaultError, type InjectedFault } from './types.ts';

const schema = z.strictObject({
  type: z.literal('shell'),
  inject: z.string().min(1),
  rollback: z.string().min(1),
  /** Per command. @defaultValue 30000 */
  timeoutMs: z.number().int().positive().optional(),
});

/** As a drill file writes it. */
export type ShellFaultSpec = z.input<typeof schema>;

export const shellKind = defineFaultKind({
  type: 'shell',
  builder: 'shell',
  schema,
  create: (spec) => createShellFault(spec),
});

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const OUTPUT_CAP = 64 * 1024;

/**
 * Runs one shell command with a timeout. The command gets its own process group so that a
 * timeout kills what it started too (`docker stop` forks; killing only `sh` would leave it).
 */
export function runCommand(command: string, timeoutMs: number, signal?: AbortSignal): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      if (stdout.length < OUTPUT_CAP) stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < OUTPUT_CAP) stderr += b.toString();
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(kill, timeoutMs);
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      const durationMs = Date.now() - started;
      if (sig === 'SIGKILL' && durationMs >= timeoutMs) {
        reject(new FaultError(`command timed out after ${timeoutMs} ms: ${command}`));
        return;
      }
      resolve({ code, signal: sig, stdout, stderr, durationMs });
    });
  });
}

/** Runs a command and fails with its exit code and stderr unless it exits 0. */
export async function runChecked(
  command: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CommandResult> {
  const res = await runCommand(command, timeoutMs, signal);
  if (res.code !== 0) {
    const why = res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
    throw new FaultError(
      `command failed (${why}): ${command}${res.stderr ? `: ${res.stderr.trim().slice(0, 300)}` : ''}`,
    );
  }
  return res;
}

/**
 * A fault applied and undone by user-given commands (`docker stop app` / `docker start app`).
 * A shell fault has no TTL of its own: after a crash only `firedrill rollback` undoes it.
 * @example shell({ inject: 'docker stop api', rollback: 'docker start api', timeoutMs: 20_000 })
 */
export function shell(opts: Omit<ShellFaultSpec, 'type'>): ShellFaultSpec {
  return { type: 'shell', ...opts };
}

export function createShellFault(spec: ShellFaultSpec): Fault {
  const timeoutMs = spec.timeoutMs ?? 30_000;
  return {
    spec,
    describe: () => `shell: ${spec.inject} (rollback: ${spec.rollback})`,
    async inject(ctx: FaultContext): Promise<InjectedFault> {
      const res = await runChecked(spec.inject, timeoutMs, ctx.signal);
      return {
        type: 'shell',
        target: spec.inject,
        ids: [],
        injectedAt: Date.now(),
        detail: { durationMs: res.durationMs, stdout: res.stdout.trim().slice(0, 500) },
      };
    },
    async rollback() {
      // Never tied to the drill's signal: a rollback must run even when the drill was aborted.
      const res = await runChecked(spec.rollback, timeoutMs);
      return { cleared: true, detail: `ran in ${res.durationMs} ms` };
    },
  };
}
