import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../packages/firedrill/src/core/exit.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import {
  alertFires,
  appFault,
  defineDrill,
  injectAlert,
  logsArrive,
  slackMessage,
} from '../../packages/firedrill/src/drills/define.ts';
import { planOf } from '../../packages/firedrill/src/drills/loader.ts';
import { runDrills } from '../../packages/firedrill/src/drills/suite.ts';
import { stackDown, stackUp } from '../../packages/firedrill/src/stack/index.ts';
import {
  alertmanagerFile,
  type DrillStack,
  drillStack,
  logger,
  quiet,
  root,
  rulesFile,
  stateDir,
  withEditedConfig,
} from './drill-helpers.ts';

// Realistic breakages of the pipeline, seeded one at a time into the real local stack. Each
// pins the verdict, the hop the diagnosis names, and that the verdict came without waiting out
// the deadline: refused at preflight with nothing injected where the live config shows it, cut
// short on conclusive evidence where only the run can.
let stack: DrillStack;
const seen: { breakage: string; result: Result }[] = [];

beforeAll(async () => {
  stack = await drillStack();
});

afterAll(() => {
  // The table of the closing note: breakage, exit code, time to verdict, the report's first sentence.
  for (const { breakage, result } of seen) {
    process.stderr.write(
      `[diagnosis] ${breakage} | exit ${exitCodeFor([result])} | ${(result.durationMs / 1000).toFixed(1)}s | ${result.diagnosis?.message ?? '-'}\n`,
    );
  }
});

async function drill(breakage: string, def: Parameters<typeof defineDrill>[0]): Promise<Result> {
  const [result] = await stack.run([defineDrill(def)]);
  seen.push({ breakage, result: result! });
  return result!;
}

const injected = (r: Result) => r.timeline?.some((e) => e.phase === 'inject') ?? false;
const observeMs = (r: Result) => r.steps.find((s) => s.name === 'observe')?.durationMs ?? 0;
const reload = (program: 'prometheus' | 'alertmanager') => `${stack.env[program]!.url}/-/reload`;

const errorRateDrill = (id: string, within = '15s') => ({
  id,
  fault: appFault({ kind: 'error-rate', rate: 1, ttl: '60s' }),
  traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 10 },
  expect: [
    alertFires('HighApiErrorRate', { within }),
    slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within }),
  ],
  resolve: false as const,
});

/** A drill of the log hop alone: a fault no alert watches, so later tests start from a steady state. */
const logDrill = (id: string, condition: ReturnType<typeof logsArrive>) => ({
  id,
  fault: appFault({ kind: 'latency', latencyMs: 20, ttl: '60s' }),
  traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5 },
  requireEffect: false,
  expect: [condition],
  resolve: false as const,
});

const routed = (id: string, alertname: string, extra: Record<string, unknown> = {}) => ({
  id,
  fault: injectAlert({ labels: { alertname, severity: 'critical' }, endsAfter: '2m' }),
  expect: [slackMessage({ channel: '#alerts-critical', alert: alertname, within: '20s' })],
  resolve: false as const,
  ...extra,
});

describe('refused before injecting: what the live config already shows', () => {
  it('for: 10m on a rule the drill gives 30 s', async () => {
    await quiet(stack.env, 'HighApiErrorRate');
    const r = await withEditedConfig(
      rulesFile(),
      (t) => t.replace(/(alert: HighApiErrorRate\n[\s\S]*?)for: 0s/, '$1for: 10m'),
      reload('prometheus'),
      () => drill('for: 10m, within 30s', errorRateDrill('long-for', '30s')),
    );
    expect(r.status).toBe('fail');
    expect(injected(r)).toBe(false);
    expect(r.diagnosis).toEqual({
      hop: 'fire',
      phase: 'preflight',
      message: expect.stringMatching(
        /^Refused before injecting: HighApiErrorRate cannot fire within 30\.0s: its rule needs at least 10m00s \(for 10m00s\); raise the drill's within or lower the rule's for/,
      ),
    });
    expect(exitCodeFor([r])).toBe(1);
  });

  it("a metric name typo in the rule's expression", async () => {
    const r = await withEditedConfig(
      rulesFile(),
      (t) =>
        t.replace(
          /(alert: HighApiErrorRate\n\s+expr: [\s\S]*?)http_requests_total\{/,
          '$1http_request_total{',
        ),
      reload('prometheus'),
      () => drill('metric name typo', errorRateDrill('metric-typo')),
    );
    expect(injected(r)).toBe(false);
    expect(r.diagnosis?.hop).toBe('fire');
    expect(r.diagnosis?.message).toContain(
      "HighApiErrorRate's expression reads http_request_total, which Prometheus has no series of (did you mean http_requests_total?): the rule can never fire",
    );
  });

  it('a route that sends critical alerts to the warning receiver', async () => {
    const r = await withEditedConfig(
      alertmanagerFile(),
      (t) => t.replaceAll('receiver: slack-alerts-critical', 'receiver: slack-alerts-warning'),
      reload('alertmanager'),
      () => drill('critical routed to warning', routed('broken-route', 'FiredrillMisroute')),
    );
    expect(r.status).toBe('fail');
    expect(injected(r)).toBe(false);
    expect(r.diagnosis).toMatchObject({ hop: 'notify', phase: 'preflight' });
    expect(r.diagnosis?.message).toBe(
      'Refused before injecting: Alertmanager routes FiredrillMisroute {severity="critical"} to slack-alerts-warning (posts to #alerts-warning), not to #alerts-critical: the message can never arrive there.',
    );
  });

  it('an active silence over the alert', async () => {
    const am = stack.env.alertmanager!.url;
    const now = Date.now();
    const res = await fetch(`${am}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'FiredrillSilenced', isRegex: false, isEqual: true }],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 600_000).toISOString(),
        createdBy: 'alice',
        comment: 'maintenance window',
      }),
    });
    const { silenceID } = (await res.json()) as { silenceID: string };
    try {
      const r = await drill('active silence', routed('silenced', 'FiredrillSilenced'));
      expect(injected(r)).toBe(false);
      expect(r.diagnosis).toMatchObject({ hop: 'notify', phase: 'preflight' });
      expect(r.diagnosis?.message).toMatch(
        new RegExp(
          `^Refused before injecting: silence ${silenceID} by alice until \\S+ \\("maintenance window"\\) matches FiredrillSilenced \\{severity="critical"\\}: its notification would be swallowed`,
        ),
      );
    } finally {
      await fetch(`${am}/api/v2/silence/${silenceID}`, { method: 'DELETE' });
    }
  });

  it('send_resolved: false where the drill expects a resolved message', async () => {
    const r = await withEditedConfig(
      alertmanagerFile(),
      (t) => t.replaceAll('send_resolved: true', 'send_resolved: false'),
      reload('alertmanager'),
      () =>
        drill(
          'send_resolved off',
          routed('no-resolved', 'FiredrillNoResolved', { resolve: { within: '20s' } }),
        ),
    );
    expect(injected(r)).toBe(false);
    expect(r.diagnosis).toMatchObject({ hop: 'resolve', phase: 'preflight' });
    expect(r.diagnosis?.message).toContain(
      'has send_resolved off for #alerts-critical: no resolved message will ever be posted',
    );
  });

  it('the log shipper stopped before the drill', async () => {
    const config = { ...stack.config, stateDir };
    await stackDown({ config, root, logger, components: ['log-shipper'] });
    try {
      const r = await drill(
        'log shipper stopped',
        logDrill('no-shipper', logsArrive({ index: 'app-logs-*', schema: 'backend', within: '30s' })),
      );
      expect(injected(r)).toBe(false);
      expect(r.diagnosis).toMatchObject({ hop: 'log', phase: 'preflight' });
      expect(r.diagnosis?.message).toMatch(
        /^Refused before injecting: no log entry has reached app-logs-\* since preflight's requests [\d.]+s ago, and its newest entry is \S+ old: is the log shipper running\?/,
      );
    } finally {
      await stackUp({ config, root, logger, components: ['log-shipper'] });
    }
  });
});

describe('before a game day: dry runs and names checked', () => {
  it('a dry run checks the live pipeline and gives each hop its minimum, injecting nothing', async () => {
    const [result] = await runDrills({
      drills: [planOf(errorRateDrill('dry-run'))],
      env: stack.env,
      stateDir,
      root,
      logger,
      dryRun: true,
    });
    seen.push({ breakage: 'dry run', result: result! });
    expect(result!.status, JSON.stringify(result!.error)).toBe('pass');
    expect(result!.steps.map((s) => s.name)).toEqual(['preflight']);
    expect(result!.timeline?.some((e) => e.event.startsWith('fault injected'))).toBe(false);
    expect(result!.timeline?.map((e) => e.event)).toContain(
      'dry run: nothing injected; the drill would pass preflight',
    );
    // The stack's HighApiErrorRate has for: 0s and group_wait 0 s in the fast profile: no wait is certain.
    expect(result!.metrics?.pipeline_min_ms_fire).toBe(0);
    expect(result!.metrics?.pipeline_max_ms_fire).toBeGreaterThan(0);
    expect(result!.metrics?.pipeline_min_ms_notify).toBeGreaterThanOrEqual(
      result!.metrics!.pipeline_min_ms_fire!,
    );
    expect(result!.conditions).toEqual([]);
    expect(result!.rollback).toBeUndefined();
  });

  it('an alert name no loaded rule has: exit 2, with the nearest name', async () => {
    const def = errorRateDrill('alert-typo');
    def.expect = [alertFires('HighApiErorRate', { within: '15s' })];
    const result = await drill('alert name typo', def);
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('unknown-alert');
    expect(result.error?.message).toContain(
      'no alerting rule named HighApiErorRate is loaded (did you mean HighApiErrorRate?)',
    );
    expect(exitCodeFor([result])).toBe(2);
    expect(injected(result)).toBe(false);
  });
});

describe('refused before injecting: faults firedrill did not inject', () => {
  it('an app fault someone else left on: exit 2, named, untouched', async () => {
    const auth = { authorization: `Bearer ${stack.env.faultToken}` };
    const res = await fetch(`${stack.env.baseUrl}/__faults`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'latency', latencyMs: 5, ttlSeconds: 60 }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const { id } = (await res.json()) as { id: string };
    try {
      const r = await drill('a fault firedrill did not inject', errorRateDrill('foreign-fault'));
      expect(r.status).toBe('error');
      expect(exitCodeFor([r])).toBe(2);
      expect(injected(r)).toBe(false);
      expect(r.error?.message).toMatch(
        new RegExp(
          `^the app at http://127\\.0\\.0\\.1:\\d+ already has 1 fault in effect that this drill did not inject: latency ${id} until \\S+\\. Clear them`,
        ),
      );
      const left = (await (await fetch(`${stack.env.baseUrl}/__faults`, { headers: auth })).json()) as {
        faults: { id: string }[];
      };
      expect(left.faults.map((f) => f.id)).toEqual([id]);
    } finally {
      const cleared = await fetch(`${stack.env.baseUrl}/__faults`, { method: 'DELETE', headers: auth });
      expect(cleared.status, await cleared.text()).toBeLessThan(300);
    }
  });
});

describe('cut short on conclusive evidence, naming the broken hop', () => {
  it('a webhook bound to another channel: the config says #alerts-critical, Slack posts elsewhere', async () => {
    const r = await withEditedConfig(
      alertmanagerFile(),
      (t) => t.replace(/(api_url: \S+\/hooks\/)alerts-critical/g, '$1alerts-warning'),
      reload('alertmanager'),
      () => drill('webhook bound to the warning channel', routed('misbound-webhook', 'FiredrillMisbound')),
    );
    expect(r.status).toBe('fail');
    expect(r.diagnosis).toMatchObject({ hop: 'notify', phase: 'observe' });
    expect(r.conditions?.[0]?.message).toMatch(
      /^message about FiredrillMisbound arrived in the wrong channel: #alerts-warning instead of #alerts-critical \(seen at \+[\d.]+m?s, and still not in #alerts-critical [\d.]+s later\)$/,
    );
    // Not the 20 s deadline: the fault came off once the evidence was in.
    expect(observeMs(r)).toBeLessThan(20_000);
  });

  it("Slack's URL pointing at a closed port: Alertmanager's failed sends", async () => {
    const r = await withEditedConfig(
      alertmanagerFile(),
      (t) =>
        t.replace(/api_url: http:\/\/[^/\s]+(\/hooks\/alerts-critical)/g, 'api_url: http://127.0.0.1:9$1'),
      reload('alertmanager'),
      () => drill('Slack URL on a closed port', routed('slack-down', 'FiredrillSlackDown')),
    );
    expect(r.status).toBe('fail');
    expect(r.diagnosis).toMatchObject({ hop: 'notify', phase: 'observe' });
    expect(r.diagnosis?.message).toMatch(
      /^The notification did not arrive: Alertmanager failed \d+ sends? to Slack at \+[\d.]+s \(alertmanager_notifications_failed_total\{integration="slack"\} \d+ → \d+\)/,
    );
    expect(r.conditions?.find((c) => c.condition.type === 'slackMessage')?.message).toMatch(
      /^not awaited: observing stopped/,
    );
    expect(observeMs(r)).toBeLessThan(20_000);
  });

  it('a required log field the app does not write: the schema difference, at once', async () => {
    const base = JSON.parse(readFileSync(path.join(root, 'config/schemas/backend-log.schema.json'), 'utf8'));
    const schemaFile = path.join(mkdtempSync(path.join(tmpdir(), 'schema-')), 'backend-v2.schema.json');
    writeFileSync(
      schemaFile,
      JSON.stringify({ ...base, $id: undefined, required: [...base.required, 'trace_id'] }),
    );
    const r = await drill(
      'required field missing',
      logDrill(
        'dropped-field',
        logsArrive({
          index: 'app-logs-*',
          schema: schemaFile,
          match: { event: 'http_request' },
          within: '30s',
        }),
      ),
    );
    expect(r.status).toBe('fail');
    expect(r.diagnosis?.hop).toBe('log');
    expect(r.conditions?.[0]?.message).toMatch(
      /^\d+ of \d+ log entries fail schema backend-v2\.schema\.json: \/trace_id: required field missing \(\d+ of \d+\)$/,
    );
    expect(observeMs(r)).toBeLessThan(30_000);
  });

  it('Prometheus sending to the wrong Alertmanager: fired, never received', async () => {
    await quiet(stack.env, 'HighApiErrorRate');
    const promConfig = path.join(stateDir, 'stack/prometheus/prometheus.yml');
    const r = await withEditedConfig(
      promConfig,
      (t) =>
        t.replace(
          /(alertmanagers:\n\s+- static_configs:\n\s+- targets:\n\s+- )127\.0\.0\.1:\d+/,
          '$1127.0.0.1:9',
        ),
      reload('prometheus'),
      () => drill('Prometheus sends to a closed port', errorRateDrill('am-unreachable')),
    );
    expect(r.status).toBe('fail');
    expect(r.conditions?.find((c) => c.condition.type === 'alertFires')?.status).toBe('pass');
    expect(r.diagnosis).toMatchObject({ hop: 'notify', phase: 'observe' });
    expect(r.diagnosis?.message).toMatch(
      /^The notification did not arrive: no message about HighApiErrorRate in #alerts-critical within 15\.0s .*; Prometheus fired HighApiErrorRate, but Alertmanager never received it: check Prometheus' alerting\.alertmanagers/,
    );
  });

  // Before the threshold test: its 5xx stay in HighApiErrorRate's window after the rule is restored.
  it('a fault the app ignores: steady state never left, the rest its consequences', async () => {
    await quiet(stack.env, 'HighApiErrorRate');
    const r = await drill('fault ignored by the app', {
      id: 'ignored-fault',
      fault: appFault({ kind: 'error-rate', rate: 1, route: '/api/images', ttl: '60s' }),
      traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5 },
      expect: [
        alertFires('HighApiErrorRate', { within: '8s' }),
        slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '8s' }),
      ],
      resolve: false,
    });
    expect(r.status).toBe('fail');
    expect(r.conditions![0]!.message).toMatch(
      /^steady state never left: none of the \d+ requests sent during the fault was affected within 8\.0s \(\d+×200\); the app ignored the fault$/,
    );
    expect(r.conditions!.slice(1).map((c) => c.consequenceOf)).toEqual([
      'steadyStateLeft',
      'steadyStateLeft',
    ]);
    expect(r.diagnosis?.hop).toBe('inject');
  });

  it('a rule whose threshold can never be met: never fired, the message its consequence, nothing to resolve', async () => {
    await quiet(stack.env, 'HighApiErrorRate');
    const r = await withEditedConfig(
      rulesFile(),
      // An error *ratio* above 2 can never happen.
      (t) => t.replace(/(alert: HighApiErrorRate\n\s+expr: [\s\S]*?)> 0\.05/, '$1> 2'),
      reload('prometheus'),
      () =>
        drill('threshold never met', {
          ...errorRateDrill('broken-threshold', '10s'),
          resolve: { within: '10s' },
        }),
    );
    expect(r.status).toBe('fail');
    const by = (type: string) => r.conditions!.filter((c) => c.condition.type === type);
    expect(by('steadyStateLeft')[0]?.status).toBe('pass');
    expect(by('alertFires')[0]?.message).toBe(
      "HighApiErrorRate never fired within 10.0s: prometheus kept it inactive: the rule's condition never held",
    );
    expect(by('slackMessage')[0]).toMatchObject({
      status: 'fail',
      consequenceOf: 'alertFires HighApiErrorRate',
    });
    // Never a "resolved: pass" for an alert that never fired.
    for (const c of [...by('alertResolves'), ...by('slackResolved')])
      expect(c).toMatchObject({
        status: 'skipped',
        message: expect.stringMatching(/^not applicable: HighApiErrorRate never fired/),
      });
    expect(r.diagnosis).toEqual({
      hop: 'fire',
      phase: 'observe',
      message:
        "The alert did not fire: HighApiErrorRate never fired within 10.0s: prometheus kept it inactive: the rule's condition never held.",
    });
  });
});

describe("a drill's field contract on the app's real log lines", () => {
  it('user_id where a session was used, and no field the schema does not know', async () => {
    const r = await drill(
      'field contract kept',
      logDrill(
        'field-contract',
        logsArrive({
          index: 'app-logs-*',
          schema: 'backend',
          match: { event: 'http_request' },
          require: [{ when: { route: '/api/items' }, fields: ['user_id'] }],
          unknownFields: 'error',
          minEntries: 3,
          within: '30s',
        }),
      ),
    );
    expect(r.conditions?.[0]?.message ?? '', JSON.stringify(r.conditions?.[0]?.actual)).toBe('');
    expect(r.status).toBe('pass');
  });
});
