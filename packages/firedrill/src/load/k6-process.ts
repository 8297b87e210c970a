import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type OutputStream = 'stdout' | 'stderr';

export interface K6ProcessOptions {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Every line k6 prints goes here too, whatever `onLine` shows. */
  logFile: string;
  onLine?: (line: string, stream: OutputStream) => void;
  /** Hard cap on the whole run; on expiry k6 is interrupted like Ctrl-C, then killed. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Time between SIGINT and SIGKILL: k6 needs it to stop VUs and write its summary. */
  killGraceMs?: number;
}

export interface K6ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why firedrill stopped k6, when it did. */
  stoppedBy?: 'timeout' | 'abort';
  /** Last `level=error` line k6 logged, message only. */
  lastError?: string;
}

/** `time="…" level=error msg="thresholds on metrics … crossed"` → the msg text. */
export function errorMessageOf(line: string): string | undefined {
  if (!/\blevel=error\b/.test(line)) return undefined;
  const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
  return m ? m[1]!.replace(/\\n\\t.*$/s, '').replace(/\\(.)/g, '$1') : line;
}

/** Runs k6 to its end, streaming its lines; never throws for a non-zero exit. */
export async function runK6Process(opts: K6ProcessOptions): Promise<K6ProcessResult> {
  const log = createWriteStream(opts.logFile);
  // detached: k6 gets its own process group, so a Ctrl-C meant for firedrill reaches k6 only
  // through firedrill's own SIGINT, once, and the run still ends with a summary.
  const child = spawn(opts.command, opts.args, {
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const result: K6ProcessResult = { exitCode: null, signal: null };
  const lines: Promise<unknown>[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const rl = createInterface({ input: child[stream], crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', (line) => {
      log.write(`${line}\n`);
      const err = errorMessageOf(line);
      if (err) result.lastError = err;
      opts.onLine?.(line, stream);
    });
    lines.push(once(rl, 'close'));
  }

  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'abort') => {
    if (result.stoppedBy || child.exitCode !== null) return;
    result.stoppedBy = why;
    child.kill('SIGINT');
    killTimer = setTimeout(() => child.kill('SIGKILL'), opts.killGraceMs ?? 15_000);
    killTimer.unref();
  };
  const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
  const onAbort = () => stop('abort');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    await Promise.all(lines);
    result.exitCode = code;
    result.signal = signal;
  } catch (err) {
    // spawn failed (ENOENT, EACCES): there is no exit code to report.
    result.lastError = (err as Error).message;
  } finally {
    clearTimeout(timer);
    if (killTimer) clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    log.end();
    await once(log, 'close').catch(() => undefined);
  }
  return result;
}
