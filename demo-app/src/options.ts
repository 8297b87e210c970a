/**
 * Options of the demo app. Every option has an env var twin (read by `optionsFromEnv`) so the
 * process entry and the library entry configure exactly the same thing.
 */
export interface AppOptions {
  /** Interface `listen()` binds to. @defaultValue `'127.0.0.1'` (env `DEMO_HOST`) */
  host?: string;
  /** Port `listen()` binds to; 0 picks a free one. @defaultValue `0` (env `DEMO_PORT`) */
  port?: number;
  /** SQLite file. @defaultValue `':memory:'` (env `DEMO_DB`) */
  db?: string;
  /** Where uploaded and processed images go. @defaultValue a fresh temp dir, removed on close (env `DEMO_DATA_DIR`) */
  dataDir?: string;
  /** Every log line is also appended here, one JSON object per line (env `DEMO_LOG_FILE`). */
  logFile?: string;
  /** Also write log lines to stdout. @defaultValue `true` */
  logToStdout?: boolean;
  /** Minimum log level. @defaultValue `'info'` (env `DEMO_LOG_LEVEL`) */
  logLevel?: LogLevel;
  /** `environment` label on every log line. @defaultValue `'local'` (env `DEMO_ENV`) */
  environment?: string;
  /** `service` label on every log line. @defaultValue `'demo-app'` (env `DEMO_SERVICE`) */
  service?: string;
  /** Bearer token of the fault endpoint; the endpoint does not exist without it (env `DEMO_FAULT_TOKEN`). */
  faultToken?: string;
  /** Grafana Faro collector URL handed to the browser; Faro stays off without it (env `DEMO_FARO_URL`). */
  faroUrl?: string;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ResolvedOptions {
  host: string;
  port: number;
  db: string;
  dataDir: string | undefined;
  logFile: string | undefined;
  logToStdout: boolean;
  logLevel: LogLevel;
  environment: string;
  service: string;
  faultToken: string | undefined;
  faroUrl: string | undefined;
}

export function resolveOptions(options: AppOptions): ResolvedOptions {
  const problems: string[] = [];
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`port: expected 0..65535, got ${port}`);
  const logLevel = options.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`logLevel: expected one of ${LOG_LEVELS.join(', ')}`);
  if (options.faroUrl !== undefined && !URL.canParse(options.faroUrl)) {
    problems.push(`faroUrl: expected a URL, got "${options.faroUrl}"`);
  }
  if (options.faultToken !== undefined && options.faultToken.trim() === '') {
    problems.push('faultToken: expected a non-empty token');
  }
  if (problems.length > 0) throw new Error(`invalid demo-app options:\n  ${problems.join('\n  ')}`);
  return {
    host: options.host ?? '127.0.0.1',
    port,
    db: options.db ?? ':memory:',
    dataDir: options.dataDir,
    logFile: options.logFile,
    logToStdout: options.logToStdout ?? true,
    logLevel,
    environment: options.environment ?? 'local',
    service: options.service ?? 'demo-app',
    faultToken: options.faultToken,
    faroUrl: options.faroUrl,
  };
}

/** Reads the `DEMO_*` env vars; empty strings count as unset. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): AppOptions {
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const port = value('DEMO_PORT');
  return {
    host: value('DEMO_HOST'),
    port: port === undefined ? undefined : Number(port),
    db: value('DEMO_DB'),
    dataDir: value('DEMO_DATA_DIR'),
    logFile: value('DEMO_LOG_FILE'),
    logLevel: value('DEMO_LOG_LEVEL') as LogLevel | undefined,
    environment: value('DEMO_ENV'),
    service: value('DEMO_SERVICE'),
    faultToken: value('DEMO_FAULT_TOKEN'),
    faroUrl: value('DEMO_FARO_URL'),
  };
}
