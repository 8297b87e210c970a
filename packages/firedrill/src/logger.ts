import pino, { type Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they sit. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'faultToken',
  '*.faultToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'cookie',
  '*.cookie',
  // Connection auth (`auth: { type, token | password | key }`), wherever a connection is logged.
  'auth.token',
  'auth.password',
  'auth.key',
  '*.auth.token',
  '*.auth.password',
  '*.auth.key',
  '*.*.auth.token',
  '*.*.auth.password',
  '*.*.auth.key',
];

export interface LoggerOptions {
  level?: string;
  /** Human-friendly output; defaults to on when stderr is a terminal. */
  pretty?: boolean;
  /** JSON lines to this file instead of stderr (appended; created if missing). */
  file?: string;
}

/**
 * firedrill's own logger: JSON lines on stderr (stdout belongs to reporters), pretty in a
 * terminal. Components take child loggers carrying `component`, `id` and `runId`.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.FIREDRILL_LOG_LEVEL ?? 'info';
  const pretty =
    !opts.file &&
    (opts.pretty ?? (process.stderr.isTTY === true && process.env.FIREDRILL_LOG_FORMAT !== 'json'));
  const base = {
    level,
    base: { service: 'firedrill' },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' },
      },
    });
  }
  if (opts.file)
    return pino(base, pino.destination({ dest: opts.file, mkdir: true, append: true, sync: true }));
  return pino(base, pino.destination({ fd: 2, sync: true }));
}
