import { setTimeout as sleep } from 'node:timers/promises';
import { tailFile } from './processes.ts';
import { StackError } from './types.ts';

/** `true` when ready, otherwise why not (shown when the wait times out). */
export type ProbeResult = true | string;
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

/** GET url; ready when `check` accepts the response (default: any 2xx). */
export function httpProbe(
  url: string,
  opts: {
    headers?: Record<string, string>;
    check?: (status: number, body: string) => ProbeResult;
    attemptTimeoutMs?: number;
  } = {},
): Probe {
  return async (signal) => {
    try {
      const res = await fetch(url, {
        headers: opts.headers ?? {},
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.attemptTimeoutMs ?? 2_000)]),
      });
      const body = await res.text();
      if (opts.check) return opts.check(res.status, body);
      return res.ok ? true : `HTTP ${res.status} ${body.slice(0, 200).trim()}`;
    } catch (err) {
      signal.throwIfAborted();
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return cause ?? (err as Error).message;
    }
  };
}

export interface WaitReadyOptions {
  component: string;
  /** What is being polled, for the error message. */
  target: string;
  probe: Probe;
  timeoutMs: number;
  intervalMs?: number;
  logFile: string;
  signal?: AbortSignal | undefined;
  /** Set when the process has already exited: waiting longer is pointless. */
  exited?: () => string | undefined;
}

async function logTail(logFile: string): Promise<string> {
  const tail = await tailFile(logFile, 15);
  return tail ? `\nlast lines of ${logFile}:\n${tail}` : `\n(${logFile} is empty)`;
}

/** Polls `probe` until it passes; a timeout or early exit names the component, what was polled, and the log's tail. */
export async function waitReady(opts: WaitReadyOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const signal = opts.signal ?? new AbortController().signal;
  let last: ProbeResult = 'not polled yet';
  for (;;) {
    signal.throwIfAborted();
    const exit = opts.exited?.();
    if (exit) {
      throw new StackError(
        `${opts.component} ${exit} before it became ready (${opts.target})${await logTail(opts.logFile)}`,
      );
    }
    last = await opts.probe(signal);
    if (last === true) return;
    if (Date.now() >= deadline) break;
    await sleep(opts.intervalMs ?? 100, undefined, { signal });
  }
  throw new StackError(
    `${opts.component} did not become ready within ${Math.round(opts.timeoutMs / 1000)} s: ${opts.target}: ${last}${await logTail(opts.logFile)}`,
  );
}
