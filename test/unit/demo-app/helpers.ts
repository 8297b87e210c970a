import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppOptions, createApp, type DemoApp } from '../../../demo-app/src/app.ts';

export const FAULT_TOKEN = 'test-fault-token';

export interface LogLine {
  level: string;
  time: string;
  msg: string;
  service: string;
  environment: string;
  source: string;
  request_id?: string;
  user_id?: string;
  event?: string;
  [key: string]: unknown;
}

export interface TestApp {
  demo: DemoApp;
  /** Base URL of the real listener, e.g. `http://127.0.0.1:40123`. */
  url: string;
  dir: string;
  logFile: string;
  /** Every line of the log file so far, parsed (throws on a line that is not JSON). */
  logs(): LogLine[];
  /** Polls the log file until a line matches; the access log is written after the response. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Signs in over HTTP and returns the bearer token. */
  login(username?: string, password?: string): Promise<string>;
  /** fetch against the app; `token` adds the bearer header, `json` a JSON body. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** A real app on 127.0.0.1:0 with its own temp DB file, data dir and log file. */
export async function startApp(options: AppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'demo-app-test-'));
  const logFile = join(dir, 'app.log');
  const demo = await createApp({
    db: join(dir, 'app.db'),
    dataDir: join(dir, 'data'),
    logFile,
    logToStdout: false,
    environment: 'test',
    faultToken: FAULT_TOKEN,
    ...options,
  });
  const url = await demo.listen();

  const logs = (): LogLine[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);

  const request: TestApp['request'] = (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${url}${path}`, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };

  return {
    demo,
    url,
    dir,
    logFile,
    logs,
    request,
    async waitForLog(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logs().find(predicate);
        if (line) return line;
        if (Date.now() > deadline) throw new Error('no matching log line');
        await sleep(20);
      }
    },
    async login(username = 'demo', password = 'demo-password') {
      const response = await request('/api/login', { method: 'POST', json: { username, password } });
      if (response.status !== 200) throw new Error(`login failed with ${response.status}`);
      return ((await response.json()) as { token: string }).token;
    },
    async close() {
      await demo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Value of one sample in Prometheus text, e.g. `metricValue(text, 'login_attempts_total', {result: 'failure'})`. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function scrape(app: TestApp): Promise<string> {
  return (await app.request('/metrics')).text();
}

/**
 * GET with the request target sent byte for byte. `fetch` normalises the URL first (it resolves
 * `%2e%2e` segments away), which is exactly what a path-traversal attempt does not do.
 */
export function rawGet(
  baseUrl: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
