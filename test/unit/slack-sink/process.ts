import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** A free loopback port (released just before use; good enough for one test process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves with the first stdout/stderr line that passes `test`; rejects if the process exits first. */
export function waitForLine(
  child: ChildProcess,
  test: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`no matching line in ${timeoutMs} ms:\n${seen.join('\n')}`)),
      timeoutMs,
    );
    const onLine = (line: string) => {
      seen.push(line);
      if (test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on('line', onLine);
    // 'close', not 'exit': the last lines may still be in the pipe when the process exits.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before the expected line:\n${seen.join('\n')}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it lingers; resolves with how it ended. */
export function stop(
  child: ChildProcess,
  graceMs = 3000,
): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    child.kill('SIGTERM');
  });
}

/** Resolves with the exit code once the process ends by itself. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export { spawn };
