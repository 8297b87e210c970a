import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsFromEnv, resolveOptions } from '../../../demo-app/src/options.ts';

const MAIN = fileURLToPath(new URL('../../../demo-app/src/main.ts', import.meta.url));
const TOKEN = 'process-test-token';

interface Started {
  child: ChildProcess;
  url: string;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `node --import tsx demo-app/src/main.ts`, resolved once its "listening" line is on stdout. */
function startProcess(env: Record<string, string> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'demo-app-proc-'));
  dirs.push(dir);
  const logFile = join(dir, 'app.log');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      DEMO_PORT: '0',
      DEMO_DB: join(dir, 'app.db'),
      DEMO_LOG_FILE: logFile,
      DEMO_FAULT_TOKEN: TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === 'listening' && entry.url) resolve({ child, url: entry.url, logFile, exited });
      }
    });
    void exited.then(({ code }) => reject(new Error(`exited with ${code} before listening`)));
  });
}

const readLog = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// Concurrent: each test waits mostly on a child process starting up.
describe.concurrent('process entry', () => {
  it('logs "listening" with its url, serves, and exits 0 on SIGTERM after a graceful close', async () => {
    const started = await startProcess({ DEMO_ENV: 'ci', DEMO_SERVICE: 'demo-proc' });
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    started.child.kill('SIGTERM');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    const log = readLog(started.logFile);
    expect(log.find((l) => l.msg === 'listening')).toMatchObject({
      service: 'demo-proc',
      environment: 'ci',
      source: 'backend',
    });
    expect(log.map((l) => l.event)).toEqual(expect.arrayContaining(['shutdown', 'stopped']));
  });

  it('crash fault: answers 201, writes a fatal line, then exits with code 1', async () => {
    const started = await startProcess();
    const response = await fetch(`${started.url}/__faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'crash', afterMs: 100 }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ kind: 'crash', params: { afterMs: 100 } });
    expect(await started.exited).toEqual({ code: 1, signal: null });
    const fatal = readLog(started.logFile).find((l) => l.level === 'fatal');
    expect(fatal).toMatchObject({
      event: 'fault_crash',
      msg: 'crash fault: exiting with code 1',
      fault_kind: 'crash',
    });
  });

  it('refuses bad configuration with exit code 1 and a JSON line naming the option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, DEMO_PORT: 'eighty', DEMO_LOG_LEVEL: 'loud' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const line = JSON.parse(stderr.trim().split('\n').at(-1)!) as { level: string; err: { message: string } };
    expect(line.level).toBe('fatal');
    expect(line.err.message).toContain('port: expected 0..65535, got NaN');
    expect(line.err.message).toContain('logLevel: expected one of trace, debug, info, warn, error, fatal');
  });
});

describe('options', () => {
  it('reads DEMO_* env vars, treating empty strings as unset', () => {
    expect(
      optionsFromEnv({
        DEMO_HOST: '0.0.0.0',
        DEMO_PORT: '8080',
        DEMO_DB: '/tmp/x.db',
        DEMO_DATA_DIR: '/tmp/data',
        DEMO_LOG_FILE: '/tmp/app.log',
        DEMO_ENV: 'staging',
        DEMO_SERVICE: 'svc',
        DEMO_FAULT_TOKEN: '',
        DEMO_FARO_URL: 'http://127.0.0.1:12347/collect',
      }),
    ).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      db: '/tmp/x.db',
      dataDir: '/tmp/data',
      logFile: '/tmp/app.log',
      environment: 'staging',
      service: 'svc',
      faultToken: undefined,
      faroUrl: 'http://127.0.0.1:12347/collect',
    });
  });

  it('has the documented defaults', () => {
    expect(resolveOptions({})).toEqual({
      host: '127.0.0.1',
      port: 0,
      db: ':memory:',
      dataDir: undefined,
      logFile: undefined,
      logToStdout: true,
      logLevel: 'info',
      environment: 'local',
      service: 'demo-app',
      faultToken: undefined,
      faroUrl: undefined,
    });
  });

  it('collects every problem into one error', () => {
    expect(() => resolveOptions({ port: 70_000, faroUrl: 'collector', faultToken: ' ' })).toThrow(
      'invalid demo-app options:\n  port: expected 0..65535, got 70000\n  faroUrl: expected a URL, got "collector"\n  faultToken: expected a non-empty token',
    );
  });
});
