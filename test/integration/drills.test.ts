import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../packages/firedrill/src/config/load.ts';
import type { Config } from '../../packages/firedrill/src/config/schema.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import {
  alertFires,
  appFault,
  type DrillDefinition,
  defineDrill,
  injectAlert,
  logsArrive,
  slackMessage,
} from '../../packages/firedrill/src/drills/define.ts';
import {
  type DrillEnvironment,
  resolveDrillEnvironment,
} from '../../packages/firedrill/src/drills/environment.ts';
import { listJournals } from '../../packages/firedrill/src/drills/journal.ts';
import { loadDrills, planOf } from '../../packages/firedrill/src/drills/loader.ts';
import type { DrillPlan } from '../../packages/firedrill/src/drills/plan.ts';
import { replayJournals } from '../../packages/firedrill/src/drills/replay.ts';
import { runDrills } from '../../packages/firedrill/src/drills/suite.ts';
import { stackUp } from '../../packages/firedrill/src/stack/index.ts';

// The whole local stack (global setup): real Prometheus, Alertmanager, OpenSearch fed by rsyslog,
// the Slack sink and the reference app. Drills run one at a time, as `firedrill drill` runs them.
const stateDir = inject('stackStateDir');
const root = inject('projectRoot');
const logger = pino({ level: process.env.FIREDRILL_LOG_LEVEL ?? 'silent' });
let config: Config;
let env: DrillEnvironment;
const results: Result[] = [];

async function run(drills: (DrillDefinition | DrillPlan)[]): Promise<Result[]> {
  return runDrills({
    drills: drills.map((d) => ('faults' in d ? d : planOf(d))),
    env,
    stateDir,
    root,
    logger,
    restartStack: async (components) => {
      await stackUp({ config: { ...config, stateDir }, root, logger, components: components as never });
    },
  });
}

/** Waits until an earlier test's alert has resolved: every drill's preflight demands a steady state. */
async function quiet(alert: string): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const res = (await (await fetch(`${env.prometheus!.url}/api/v1/alerts`)).json()) as {
      data: { alerts: { labels: Record<string, string> }[] };
    };
    if (!res.data.alerts.some((a) => a.labels.alertname === alert)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${alert} still active 40 s after the previous test`);
}

/** Edits a generated stack config file for one test, reloads the program, and restores both after. */
async function withEditedConfig<T>(
  file: string,
  edit: (text: string) => string,
  reloadUrl: string,
  fn: () => Promise<T>,
): Promise<T> {
  const original = readFileSync(file, 'utf8');
  const edited = edit(original);
  expect(edited).not.toBe(original);
  writeFileSync(file, edited);
  await fetch(reloadUrl, { method: 'POST' });
  try {
    return await fn();
  } finally {
    writeFileSync(file, original);
    await fetch(reloadUrl, { method: 'POST' });
  }
}

beforeAll(async () => {
  config = (await loadConfig(path.join(root, 'config/firedrill.config.ts'), root)).config;
  env = await resolveDrillEnvironment(config, 'local', stateDir);
});

afterAll(() => {
  // The figures BENCHMARKS.md and the closing note quote.
  for (const r of results) {
    const m = r.metrics ?? {};
    process.stderr.write(
      `[drills] ${r.id.padEnd(22)} ${r.status.padEnd(5)} ${(r.durationMs / 1000).toFixed(1)}s fire=${m.hop_ms_fire ?? '-'} am=${m.hop_ms_alertmanager ?? '-'} notify=${m.hop_ms_notify ?? '-'} (expected ${m.pipeline_expected_ms_notify ?? '-'}, max ${m.pipeline_max_ms_notify ?? '-'}) own=${m.own_ms_notify ?? '-'} log=${m.hop_ms_log ?? '-'} resolve=${m.hop_ms_resolve ?? '-'}\n`,
    );
  }
});

describe('shipped drills pass against the local stack', async () => {
  const shipped = (await loadDrills(inject('projectRoot'))).map((d) => d.plan);
  it.each(shipped.map((d) => [d.id, d] as const))(
    '%s',
    async (_id, drill) => {
      const [result] = await run([drill]);
      results.push(result!);
      const failing = result!.conditions
        ?.filter((c) => c.status !== 'pass')
        .map((c) => `${c.condition.type}: ${c.message}`);
      expect(failing, result!.error?.message).toEqual([]);
      expect(result!.status).toBe('pass');
      expect(result!.rollback?.status).toBe('pass');
      expect((await listJournals(stateDir)).filter((j) => !j.ownerRunning)).toEqual([]);
    },
    150_000,
  );
});

describe('broken setups are caught, each with a message saying what went wrong', () => {
  const errorRateDrill = (id: string, within = '15s') =>
    defineDrill({
      id,
      fault: appFault({ kind: 'error-rate', rate: 1, ttl: '60s' }),
      traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 10 },
      expect: [
        alertFires('HighApiErrorRate', { within }),
        slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within }),
      ],
      resolve: false,
    });

  it('an alert rule whose threshold can never be met: never fired', async () => {
    await quiet('HighApiErrorRate');
    const rules = path.join(stateDir, 'stack/prometheus/rules.yml');
    const [result] = await withEditedConfig(
      rules,
      // An error *ratio* above 2 can never happen.
      (text) => text.replace(/(alert: HighApiErrorRate\n\s+expr: [\s\S]*?)> 0\.05/, '$1> 2'),
      `${env.prometheus!.url}/-/reload`,
      () => run([errorRateDrill('broken-threshold', '10s')]),
    );
    expect(result!.status).toBe('fail');
    const fired = result!.conditions!.find((c) => c.condition.type === 'alertFires')!;
    expect(fired.message).toBe(
      "HighApiErrorRate never fired within 10.0s: prometheus kept it inactive: the rule's condition never held",
    );
    expect(result!.conditions![0]).toMatchObject({ condition: { type: 'steadyStateLeft' }, status: 'pass' });
  }, 120_000);

  it('a route that sends critical alerts to the warning channel: arrived in the wrong channel', async () => {
    const amConfig = path.join(stateDir, 'stack/alertmanager/alertmanager.yml');
    const [result] = await withEditedConfig(
      amConfig,
      (text) => text.replaceAll('receiver: slack-alerts-critical', 'receiver: slack-alerts-warning'),
      `${env.alertmanager!.url}/-/reload`,
      () =>
        run([
          defineDrill({
            id: 'broken-route',
            fault: injectAlert({
              labels: { alertname: 'FiredrillMisroute', severity: 'critical' },
              endsAfter: '2m',
            }),
            expect: [slackMessage({ channel: '#alerts-critical', alert: 'FiredrillMisroute', within: '8s' })],
            resolve: false,
          }),
        ]),
    );
    expect(result!.status).toBe('fail');
    expect(result!.conditions![0]!.message).toBe(
      'message about FiredrillMisroute arrived in the wrong channel: #alerts-warning instead of #alerts-critical',
    );
  }, 120_000);

  it('a required log field the app does not write: the schema difference is named', async () => {
    const base = JSON.parse(readFileSync(path.join(root, 'config/schemas/backend-log.schema.json'), 'utf8'));
    const schemaFile = path.join(mkdtempSync(path.join(tmpdir(), 'schema-')), 'backend-v2.schema.json');
    writeFileSync(
      schemaFile,
      JSON.stringify({ ...base, $id: undefined, required: [...base.required, 'trace_id'] }),
    );
    const [result] = await run([
      defineDrill({
        id: 'dropped-field',
        // A fault no alert watches, so later tests start from a steady state.
        fault: appFault({ kind: 'latency', latencyMs: 20, ttl: '60s' }),
        traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5 },
        requireEffect: false,
        expect: [
          logsArrive({
            index: 'app-logs-*',
            schema: schemaFile,
            match: { event: 'http_request' },
            within: '30s',
          }),
        ],
        resolve: false,
      }),
    ]);
    expect(result!.status).toBe('fail');
    const logs = result!.conditions!.find((c) => c.condition.type === 'logsArrive')!;
    expect(logs.message).toMatch(
      /^\d+ of \d+ log entries fail schema backend-v2\.schema\.json: \/trace_id: required field missing \(\d+ of \d+\)$/,
    );
  }, 120_000);

  it('a fault the app ignores: steady state never left', async () => {
    await quiet('HighApiErrorRate');
    const [result] = await run([
      defineDrill({
        id: 'ignored-fault',
        fault: appFault({ kind: 'error-rate', rate: 1, route: '/api/images', ttl: '60s' }),
        traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5 },
        expect: [alertFires('HighApiErrorRate', { within: '8s' })],
        resolve: false,
      }),
    ]);
    expect(result!.status).toBe('fail');
    expect(result!.conditions![0]!.message).toMatch(
      /^steady state never left: none of the \d+ requests sent during the fault was affected within 8\.0s \(\d+×200\); the app ignored the fault$/,
    );
  }, 120_000);
});

describe('kill -9 of firedrill mid-fault', () => {
  it('the fault is gone by its TTL, and `firedrill rollback` reports and clears the journal', async () => {
    // Inside the project, so the script resolves the project's node_modules.
    const script = path.join(mkdtempSync(path.join(stateDir, 'kill9-')), 'drill.mts');
    writeFileSync(
      script,
      `
      import pino from 'pino';
      import { loadConfig } from '${root}/packages/firedrill/src/config/load.ts';
      import { appFault, defineDrill, slackMessage } from '${root}/packages/firedrill/src/drills/define.ts';
      import { resolveDrillEnvironment } from '${root}/packages/firedrill/src/drills/environment.ts';
      import { runDrills } from '${root}/packages/firedrill/src/drills/suite.ts';
      import { planOf } from '${root}/packages/firedrill/src/drills/loader.ts';
      const { config } = await loadConfig('${root}/config/firedrill.config.ts', '${root}');
      const env = await resolveDrillEnvironment(config, 'local', '${stateDir}');
      await runDrills({
        drills: [planOf({
          id: 'killed',
          fault: appFault({ kind: 'latency', latencyMs: 200, ttl: '6s' }),
          expect: [slackMessage({ channel: '#alerts-critical', alert: 'NeverComes', within: '120s' })],
        })],
        env: { ...env, webhookUrl: undefined },
        stateDir: '${stateDir}',
        root: '${root}',
        logger: pino({ enabled: false }),
        onEvent: (e) => e.phase === 'inject' && process.stdout.write('INJECTED\\n'),
      });
      `,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('INJECTED') && resolve());
      child.once('exit', (code) => reject(new Error(`drill exited ${code} before injecting: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    const faults = async () =>
      (
        (await (
          await fetch(`${env.baseUrl}/__faults`, { headers: { authorization: `Bearer ${env.faultToken}` } })
        ).json()) as {
          faults: { kind: string }[];
        }
      ).faults;
    expect((await faults()).map((f) => f.kind)).toEqual(['latency']);
    // Nothing undoes it: only its TTL.
    const deadline = Date.now() + 15_000;
    while ((await faults()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await faults()).toEqual([]);
    const left = await listJournals(stateDir);
    expect(left.map((j) => [j.record?.drillId, j.ownerRunning])).toEqual([['killed', false]]);

    const replay = () =>
      replayJournals({
        stateDir,
        logger,
        contextFor: async (r) => ({ target: { ...r.target, faultToken: env.faultToken! } }),
      });
    const first = await replay();
    expect(first.journals).toMatchObject([
      {
        drillId: 'killed',
        outcome: 'cleared',
        faults: [
          {
            description: 'app fault latency latencyMs=200 (ttl 6s)',
            detail: 'already gone (already expired)',
          },
        ],
      },
    ]);
    expect(first.staleLocks).toHaveLength(1);
    expect((await replay()).journals).toEqual([]);
    rmSync(path.dirname(script), { recursive: true, force: true });
  }, 60_000);
});
