import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './options.ts';

/**
 * Log lines follow one agreed shape (a JSON Schema elsewhere pins it): `time` as ISO-8601 UTC with
 * milliseconds, `level` as a word, `msg`, `service`, `environment`, `source`. Backend and shipped
 * frontend entries go through two pino instances over one destination, because frontend entries
 * keep the browser's own `time` and pino would otherwise write a second `time` key.
 */

export const REDACTED = '[REDACTED]';

// Key names whose values are secrets wherever they appear. `session_id` (the browser's log
// session, not an auth session) deliberately does not match.
const SECRET_KEY = /pass(word|wd)?$|password|secret|token|authorization|cookie|api[-_]?key|credential/i;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;
const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Copy of `value` with secrets replaced by `[REDACTED]`; never mutates its input. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(BEARER, `$1 ${REDACTED}`);
  if (value === null || typeof value !== 'object') return value;
  // Errors keep their identity so pino's err serializer still sees `stack` and the class name.
  if (value instanceof Error) return value;
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) && v !== undefined && v !== null ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/**
 * Writes every line to stdout and/or a file. Sync writes so that the fatal line of a crash fault
 * is on disk before `process.exit`, and so a shipper tailing the file sees lines in order.
 */
class TeeDestination implements DestinationStream {
  private readonly targets: ReturnType<typeof pino.destination>[] = [];
  private closed = false;

  constructor(stdout: boolean, file: string | undefined) {
    if (stdout) this.targets.push(pino.destination({ dest: 1, sync: true }));
    if (file) this.targets.push(pino.destination({ dest: file, sync: true, append: true, mkdir: true }));
  }

  write(line: string): void {
    // Background work (an image job, an expiring fault) may log after close; drop those lines
    // rather than throw from a destroyed stream.
    if (this.closed) return;
    for (const target of this.targets) target.write(line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const target of this.targets) {
      if ((target as { fd?: number }).fd === 1) continue;
      target.flushSync();
      target.end();
    }
  }
}

export interface Logging {
  logger: Logger;
  /** Writes entries shipped by the browser: `source: "frontend"`, caller-supplied `time`. */
  frontendLogger: Logger;
  close(): void;
}

export interface LoggingOptions {
  level: LogLevel;
  service: string;
  environment: string;
  stdout: boolean;
  file: string | undefined;
}

export function createLogging(options: LoggingOptions): Logging {
  const destination = new TeeDestination(options.stdout, options.file);
  const common = {
    level: options.level,
    formatters: {
      level: (label: string) => ({ level: label }),
      log: (object: Record<string, unknown>) => redact(object) as Record<string, unknown>,
    },
    serializers: { err: serializeError },
  };
  const logger = pino(
    {
      ...common,
      base: { service: options.service, environment: options.environment, source: 'backend' },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
    },
    destination,
  );
  const frontendLogger = pino(
    {
      ...common,
      base: { service: options.service, environment: options.environment, source: 'frontend' },
      timestamp: false,
    },
    destination,
  );
  return { logger, frontendLogger, close: () => destination.close() };
}

/** `{type, message, stack}` plus `code`/`statusCode` when present: the shape the log schema expects. */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = {
    type: err.name !== 'Error' ? err.name : err.constructor.name,
    message: err.message,
    stack: err.stack ?? `${err.name}: ${err.message}`,
  };
  const extra = err as Error & { code?: unknown; statusCode?: unknown };
  if (typeof extra.code === 'string') out.code = extra.code;
  if (typeof extra.statusCode === 'number') out.statusCode = extra.statusCode;
  return out;
}
