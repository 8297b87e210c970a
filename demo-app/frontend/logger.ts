import pino from 'pino/browser';
import { newId } from './ids.ts';

/**
 * The browser's logging service: pino's browser build writing objects, mirrored to the console
 * and shipped in batches to `POST /api/logs`, where they join the backend's log stream with
 * `source: "frontend"`. Every entry carries `session_id` (one per tab) and `page`.
 */

export interface LogEntry {
  level: string;
  time: string;
  msg?: string;
  session_id: string;
  page: string;
  [field: string]: unknown;
}

const ENDPOINT = '/api/logs';
const SHIP_LEVELS = new Set(['info', 'warn', 'error', 'fatal']);
const FLUSH_INTERVAL_MS = 3000;
const FLUSH_AT_ENTRIES = 20;
// The server takes at most 100 entries and 64 KB per batch; stay well inside both, and inside the
// 64 KB that browsers allow all keepalive/beacon requests of a page to have in flight together.
const MAX_BATCH_ENTRIES = 50;
const MAX_BATCH_BYTES = 48 * 1024;
const MAX_ENTRY_BYTES = 8 * 1024;
const MAX_BUFFERED = 500;

function tabSessionId(): string {
  const key = 'demo-log-session';
  try {
    const existing = sessionStorage.getItem(key);
    if (existing) return existing;
    const id = newId();
    sessionStorage.setItem(key, id);
    return id;
  } catch {
    return newId();
  }
}

export const sessionId = tabSessionId();

/** `{type, message, stack}`, the same error shape the backend logs. */
export function serializeError(err: unknown): { type: string; message: string; stack?: string } {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { type: typeof err, message: String(err) };
}

function fitEntry(entry: LogEntry): LogEntry {
  if (JSON.stringify(entry).length <= MAX_ENTRY_BYTES) return entry;
  const { level, time, session_id, page } = entry;
  const msg = String(entry.msg ?? '').slice(0, 1000);
  return { level, time, session_id, page, msg, truncated: true };
}

class Shipper {
  private buffer: LogEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;

  push(entry: LogEntry): void {
    this.buffer.push(fitEntry(entry));
    if (this.buffer.length > MAX_BUFFERED) this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
    // Errors go out at once: a drill measures how long a failure takes to reach the log store.
    if (entry.level === 'error' || entry.level === 'fatal' || this.buffer.length >= FLUSH_AT_ENTRIES) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    }
  }

  /** Sends everything buffered, batch by batch; a failed batch goes back to the front. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      for (let batch = this.take(); batch.length > 0; batch = this.take()) {
        try {
          const response = await fetch(ENDPOINT, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-request-id': newId() },
            body: JSON.stringify({ logs: batch }),
            keepalive: true,
          });
          // A 4xx means the batch itself is unacceptable; resending it would fail forever.
          if (response.status >= 500) throw new Error(`log shipping answered ${response.status}`);
        } catch (err) {
          this.buffer.unshift(...batch);
          // Not through the logger: a failing log endpoint must not feed itself.
          console.warn('log shipping failed; will retry', err);
          this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS * 3);
          return;
        }
      }
    } finally {
      this.inFlight = false;
    }
  }

  /** On page hide: the page may be gone before a fetch resolves, a beacon outlives it. */
  flushWithBeacon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (let batch = this.take(); batch.length > 0; batch = this.take()) {
      const sent = navigator.sendBeacon?.(ENDPOINT, JSON.stringify({ logs: batch }));
      if (!sent) {
        this.buffer.unshift(...batch);
        return;
      }
    }
  }

  private take(): LogEntry[] {
    const batch: LogEntry[] = [];
    let bytes = 0;
    while (this.buffer.length > 0 && batch.length < MAX_BATCH_ENTRIES) {
      const size = JSON.stringify(this.buffer[0]).length;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      batch.push(this.buffer.shift()!);
      bytes += size;
    }
    return batch;
  }
}

const shipper = new Shipper();

const CONSOLE: Record<string, (...args: unknown[]) => void> = {
  trace: console.debug,
  debug: console.debug,
  info: console.info,
  warn: console.warn,
  error: console.error,
  fatal: console.error,
};

export const logger = pino({
  level: 'debug',
  timestamp: pino.stdTimeFunctions.isoTime,
  browser: {
    asObject: true,
    formatters: { level: (label: string) => ({ level: label }) },
    write: (object: object) => {
      const entry = {
        ...(object as Record<string, unknown>),
        session_id: sessionId,
        page: location.pathname,
      } as LogEntry;
      (CONSOLE[entry.level] ?? console.log)(entry);
      if (SHIP_LEVELS.has(entry.level)) shipper.push(entry);
    },
  },
});

export const flushLogs = (): Promise<void> => shipper.flush();

let installed = false;

/** Uncaught errors, unhandled rejections and page-hide flushing; once per page. */
export function installGlobalHandlers(): void {
  if (installed) return;
  installed = true;
  window.addEventListener('error', (event) => {
    logger.error(
      {
        event: 'window_error',
        err: serializeError(event.error ?? event.message),
        filename: event.filename,
        lineno: event.lineno,
        colno: event.colno,
      },
      `uncaught error: ${event.message}`,
    );
  });
  window.addEventListener('unhandledrejection', (event) => {
    const err = serializeError(event.reason);
    logger.error({ event: 'unhandled_rejection', err }, `unhandled rejection: ${err.message}`);
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') shipper.flushWithBeacon();
  });
  window.addEventListener('pagehide', () => shipper.flushWithBeacon());
}
