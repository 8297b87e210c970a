import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { renderAlertmanagerConfig } from '../../../config/alerting/alertmanager.ts';
import { renderPrometheusRules } from '../../../config/alerting/rules.ts';
import { type AppOptions, createApp, type DemoApp } from '../../../demo-app/src/app.ts';
import type { DrillEnvironment } from '../../../packages/firedrill/src/drills/environment.ts';
import { type SlackSink, startSlackSink } from '../../../packages/firedrill/src/slack-sink/server.ts';

export const FAULT_TOKEN = 'drill-test-fault-token';
export const CHANNELS = { critical: '#alerts-critical', warning: '#alerts-warning' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

export interface Pipeline {
  dir: string;
  app: DemoApp;
  appUrl: string;
  sink: SlackSink;
  prometheusUrl: string;
  alertmanagerUrl: string;
  webhookUrl: string;
  env: DrillEnvironment;
  stop(): Promise<void>;
}

/**
 * The real alert path minus the log store: the reference app in-process, Debian's Prometheus
 * (1 s scrape and evaluation, the shipped fast-profile rules) and Alertmanager (the shipped
 * routing, group_wait 0s) as child processes on free loopback ports, and the Slack sink
 * in-process. Everything is stopped by `stop()`, by pid.
 */
export async function startPipeline(opts: { app?: AppOptions; extraRules?: string } = {}): Promise<Pipeline> {
  const dir = mkdtempSync(path.join(tmpdir(), 'firedrill-pipeline-'));
  const children: ChildProcess[] = [];
  const app = await createApp({
    db: path.join(dir, 'app.db'),
    dataDir: path.join(dir, 'data'),
    logFile: path.join(dir, 'app.jsonl'),
    logToStdout: false,
    environment: 'test',
    faultToken: FAULT_TOKEN,
    ...opts.app,
  });
  const appUrl = await app.listen();
  const sink = await startSlackSink({ logger: pino({ enabled: false }) });
  const [promPort, amPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
  const webhookUrl = `http://127.0.0.1:${webhookPort}/alertmanager`;
  writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    renderAlertmanagerConfig({
      profile: 'fast',
      channels: CHANNELS,
      slackWebhookUrl: (c) => `${sink.url}/hooks/${c.replace(/^#/, '')}`,
      firedrillWebhookUrl: webhookUrl,
    }),
  );
  writeFileSync(path.join(dir, 'rules.yml'), renderPrometheusRules('fast'));
  if (opts.extraRules) writeFileSync(path.join(dir, 'extra-rules.yml'), opts.extraRules);
  const appHost = new URL(appUrl).host;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${path.join(dir, 'rules.yml')}${opts.extraRules ? `, ${path.join(dir, 'extra-rules.yml')}` : ''}]`,
      `alerting: { alertmanagers: [ { static_configs: [ { targets: ['127.0.0.1:${amPort}'] } ] } ] }`,
      `scrape_configs: [ { job_name: demo-app, static_configs: [ { targets: ['${appHost}'] } ] } ]`,
      '',
    ].join('\n'),
  );
  const spawnLogged = (cmd: string, args: string[], log: string) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stderr?.on('data', (b: Buffer) => chunks.push(b));
    child.on('exit', () => writeFileSync(path.join(dir, log), Buffer.concat(chunks)));
    children.push(child);
  };
  spawnLogged(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ],
    'alertmanager.log',
  );
  spawnLogged(
    '/usr/bin/prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    'prometheus.log',
  );
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  const stop = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
    );
    await sink.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${alertmanagerUrl}/-/ready`, 20_000);
    await waitReady(`${prometheusUrl}/-/ready`, 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    app,
    appUrl,
    sink,
    prometheusUrl,
    alertmanagerUrl,
    webhookUrl,
    env: {
      name: 'test',
      baseUrl: appUrl,
      allowFaults: true,
      production: false,
      faultToken: FAULT_TOKEN,
      credentials: { username: 'demo', password: 'demo-password' },
      prometheus: { url: prometheusUrl, headers: {} },
      alertmanager: { url: alertmanagerUrl, headers: {} },
      slack: { url: `${sink.url}/api`, headers: {}, token: 'xoxb-test' },
      webhookUrl,
      slackChannels: Object.values(CHANNELS),
      stack: false,
    },
    stop,
  };
}
