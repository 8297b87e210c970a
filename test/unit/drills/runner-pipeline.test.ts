import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerClient } from '../../../packages/firedrill/src/clients/alertmanager.ts';
import { PrometheusClient } from '../../../packages/firedrill/src/clients/prometheus.ts';
import { WebhookReceiver } from '../../../packages/firedrill/src/clients/webhook-receiver.ts';
import type { TimelineEvent } from '../../../packages/firedrill/src/core/result.ts';
import {
  alertFires,
  appFault,
  defineDrill,
  injectAlert,
  noSlackMessage,
  promql,
  slackMessage,
} from '../../../packages/firedrill/src/drills/define.ts';
import { planOf } from '../../../packages/firedrill/src/drills/loader.ts';
import { runDrill } from '../../../packages/firedrill/src/drills/runner.ts';
import { FAULT_TOKEN, type Pipeline, startPipeline } from './pipeline-harness.ts';

// Real Prometheus 2.42 and Alertmanager 0.25 from Debian, the shipped fast-profile rules and
// routing, the real reference app and Slack sink: only the log store is left out (integration).
let p: Pipeline;
let webhook: WebhookReceiver;
let stateDir: string;
const logger = pino({ enabled: false });
const root = path.resolve(import.meta.dirname, '../../..');

beforeAll(async () => {
  p = await startPipeline();
  webhook = (await WebhookReceiver.listen(p.webhookUrl))!;
  stateDir = mkdtempSync(path.join(tmpdir(), 'firedrill-state-'));
}, 60_000);

afterAll(async () => {
  await webhook?.close();
  await p?.stop();
});

async function activeFaults(): Promise<unknown[]> {
  const res = await fetch(`${p.appUrl}/__faults`, { headers: { authorization: `Bearer ${FAULT_TOKEN}` } });
  return ((await res.json()) as { faults: unknown[] }).faults;
}

function run(drill: ReturnType<typeof defineDrill>, events?: TimelineEvent[], steadyStateWaitMs?: number) {
  return runDrill({
    ...(steadyStateWaitMs !== undefined ? { steadyStateWaitMs } : {}),
    drill: planOf(drill),
    env: p.env,
    stateDir,
    root,
    logger,
    webhook,
    ...(events ? { onEvent: (e) => events.push(e) } : {}),
  });
}

describe('clients against the real Prometheus and Alertmanager', () => {
  it('reads rules, discovery, timing and route timing from the live config', async () => {
    const prom = new PrometheusClient({ baseUrl: p.prometheusUrl });
    const am = new AlertmanagerClient({ baseUrl: p.alertmanagerUrl });
    const found = await prom.findAlertRule('HighApiErrorRate');
    expect(found?.rule.duration).toBe(0);
    expect(found?.group.interval).toBe(1);
    expect(await prom.findAlertRule('NoSuchAlert')).toBeUndefined();
    expect(await prom.timingConfig()).toMatchObject({ scrapeIntervalMs: 1000, evaluationIntervalMs: 1000 });
    let active: string[] = [];
    for (let i = 0; i < 100 && active.length === 0; i++) {
      active = (await prom.alertmanagers()).active;
      if (!active.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(active[0]).toContain(new URL(p.alertmanagerUrl).port);
    expect((await am.status()).versionInfo.version).toMatch(/^0\.\d+/);
    const timings = await am.routeTimings({ alertname: 'X', severity: 'critical' });
    expect(timings.map((t) => t.receiver)).toEqual(['firedrill', 'slack-alerts-critical']);
    expect(timings[1]).toMatchObject({ groupWaitMs: 0, groupIntervalMs: 1000 });
    await expect(prom.query('sum(')).rejects.toThrow(/bad_data/);
  }, 30_000);
});

describe('runDrill over the real alert path', () => {
  it('error-rate fault: fires, notifies #alerts-critical, rolls back, resolves; hops measured', async () => {
    const events: TimelineEvent[] = [];
    const result = await run(
      defineDrill({
        id: 'api-error-rate',
        fault: appFault({ kind: 'error-rate', rate: 1, status: 500, ttl: '60s' }),
        traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 10 },
        expect: [
          alertFires('HighApiErrorRate', { labels: { severity: 'critical' }, within: '30s' }),
          slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' }),
          noSlackMessage({ channel: '#alerts-warning', within: '3s' }),
          promql('sum(increase(http_requests_total{status_code="500"}[10s]))', {
            op: '>',
            value: 0,
            within: '20s',
          }),
        ],
        resolve: { within: '30s' },
      }),
      events,
    );
    expect(result.conditions?.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.rollback?.status).toBe('pass');
    expect(await activeFaults()).toEqual([]);
    expect(readdirSync(path.join(stateDir, 'journal'))).toEqual([]);
    const m = result.metrics!;
    for (const k of [
      'hop_ms_fire',
      'hop_ms_notify',
      'hop_ms_alertmanager',
      'own_ms_notify',
      'hop_ms_resolve',
    ]) {
      expect(m[k], k).toBeTypeOf('number');
    }
    // 1 s scrape + 1 s evaluation, for: 0s, group_wait: 0s, after the first failed request's own
    // few ms; resolving also waits out the 10 s window.
    const answered = m.hop_ms_first_bad_sample !== undefined ? m.pipeline_max_ms_fire! - 2000 : 0;
    expect(answered).toBeGreaterThanOrEqual(0);
    expect(answered).toBeLessThan(500);
    // group_interval (1 s) rather than group_wait (0 s): the group may still be Alertmanager's.
    expect(m.pipeline_max_ms_notify).toBe(m.pipeline_max_ms_fire! + 1000);
    expect(m.pipeline_max_ms_resolve).toBe(12_000);
    expect(m.pipeline_max_ms_resolve_notify).toBe(13_000);
    // This run's timing: the next scrape, then the next evaluation, within the worst case.
    for (const hop of ['fire', 'notify', 'resolve', 'resolve_notify']) {
      expect(m[`pipeline_expected_ms_${hop}`], hop).toBeGreaterThanOrEqual(0);
      expect(m[`pipeline_expected_ms_${hop}`], hop).toBeLessThanOrEqual(m[`pipeline_max_ms_${hop}`]!);
    }
    // Prometheus' own firing moment is the evaluation the model predicts; Alertmanager and the
    // sink add milliseconds. A loaded CI box may delay a scrape or an evaluation by some more.
    expect(m.beyond_pipeline_ms_fire).toBeGreaterThanOrEqual(-50);
    expect(m.beyond_pipeline_ms_fire).toBeLessThan(1500);
    expect(m.beyond_pipeline_ms_notify).toBeGreaterThanOrEqual(-50);
    expect(m.beyond_pipeline_ms_notify).toBeLessThan(1500);
    expect(m.hop_ms_notify).toBeLessThan(10_000);
    expect(result.conditions?.map((c) => c.condition.type)).toEqual([
      'steadyStateLeft',
      'alertFires',
      'slackMessage',
      'noSlackMessage',
      'promql',
      'alertResolves',
      'slackResolved',
    ]);
    // Live events were passed on as they happened, in the order recorded.
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['first bad sample', 'HighApiErrorRate firing (prometheus)']),
    );
    expect(result.timeline?.map((e) => e.phase)).toContain('resolve');
  }, 90_000);

  it('routing-only drill: each severity lands in its own channel and nowhere else', async () => {
    const result = await run(
      defineDrill({
        id: 'alert-routing',
        fault: [
          injectAlert({
            labels: { alertname: 'FiredrillRoutingCritical', severity: 'critical' },
            endsAfter: '5m',
          }),
          injectAlert({
            labels: { alertname: 'FiredrillRoutingWarning', severity: 'warning' },
            endsAfter: '5m',
          }),
        ],
        expect: [
          slackMessage({ channel: '#alerts-critical', alert: 'FiredrillRoutingCritical', within: '15s' }),
          slackMessage({ channel: '#alerts-warning', alert: 'FiredrillRoutingWarning', within: '15s' }),
          noSlackMessage({ channel: '#alerts-warning', alert: 'FiredrillRoutingCritical', within: '3s' }),
          noSlackMessage({ channel: '#alerts-critical', alert: 'FiredrillRoutingWarning', within: '3s' }),
        ],
        resolve: { within: '20s' },
      }),
    );
    expect(result.conditions?.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(result.status).toBe('pass');
    // Injected straight into Alertmanager: only group_wait (0s here) stands between it and Slack.
    expect(result.metrics?.pipeline_max_ms_notify).toBe(0);
    expect(result.metrics?.pipeline_expected_ms_notify).toBe(0);
    expect(result.metrics?.pipeline_max_ms_resolve_notify).toBe(1000);
  }, 60_000);

  it('probe traffic: the shipped api probe runs during the fault, its failing run is the first bad sample', async () => {
    const events: TimelineEvent[] = [];
    const result = await run(
      defineDrill({
        id: 'probe-traffic',
        // Every /api/items request (the probe's create and list) takes 2.5 s: SlowApiResponses.
        fault: appFault({ kind: 'latency', latencyMs: 2500, route: '/api/items', ttl: '60s' }),
        traffic: { probe: 'api', everyMs: 500 },
        expect: [
          alertFires('SlowApiResponses', { within: '30s' }),
          slackMessage({ channel: '#alerts-warning', contains: 'SlowApiResponses', within: '30s' }),
        ],
        resolve: false,
      }),
      events,
    );
    expect(result.conditions?.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(result.status).toBe('pass');
    // The probe's own check (create item within 2 s) is what turned bad.
    expect(result.conditions![0]!.actual).toMatchObject({ path: 'probe api › create item' });
    expect(events.find((e) => e.event === 'steady state: traffic answered as usual')?.detail).toEqual({
      probeRuns: 1,
    });
    expect(events.find((e) => e.event === 'traffic stopped')?.detail).toMatchObject({
      sent: expect.any(Number),
    });
    expect(await activeFaults()).toEqual([]);
  }, 90_000);

  it('a threshold never met fails with "never fired"', async () => {
    const result = await run(
      defineDrill({
        id: 'threshold-never-met',
        fault: appFault({ kind: 'latency', latencyMs: 50, ttl: '30s' }),
        traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5, slowMs: 30 },
        expect: [alertFires('HighApiErrorRate', { within: '4s' })],
        resolve: false,
      }),
    );
    expect(result.status).toBe('fail');
    const c = result.conditions!.find((x) => x.condition.type === 'alertFires')!;
    expect(c.message).toMatch(/^HighApiErrorRate never fired within 4\.0s: prometheus kept it inactive/);
    expect(await activeFaults()).toEqual([]);
  }, 30_000);

  it('a fault the app ignores fails with "steady state never left"', async () => {
    const result = await run(
      defineDrill({
        id: 'ignored-fault',
        // The fault hits /api/images; the traffic only ever asks /api/items.
        fault: appFault({ kind: 'error-rate', rate: 1, route: '/api/images', ttl: '30s' }),
        traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5 },
        expect: [alertFires('HighApiErrorRate', { within: '3s' })],
        resolve: false,
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.conditions![0]!.message).toMatch(
      /^steady state never left: none of the \d+ requests sent during the fault was affected within 3\.0s \(\d+×200\); the app ignored the fault$/,
    );
  }, 30_000);

  it('refuses to start when the alert is already firing, and injects nothing', async () => {
    const am = new AlertmanagerClient({ baseUrl: p.alertmanagerUrl });
    await am.postAlerts([
      {
        labels: { alertname: 'AlreadyFiring', severity: 'warning' },
        endsAt: new Date(Date.now() + 60_000).toISOString(),
      },
    ]);
    const result = await run(
      defineDrill({
        id: 'already-firing',
        fault: appFault({ kind: 'latency', latencyMs: 10, ttl: '10s' }),
        expect: [alertFires('AlreadyFiring', { source: 'alertmanager', within: '5s' })],
      }),
      undefined,
      1000,
    );
    expect(result.status).toBe('error');
    expect(result.error?.message).toContain('no alerting rule named AlreadyFiring is loaded');
    expect(result.error?.message).toContain(
      'AlreadyFiring is already firing in alertmanager (still after 1s): not a steady state',
    );
    expect(result.steps.map((s) => s.name)).toEqual(['preflight']);
    expect(
      existsSync(path.join(stateDir, 'journal')) ? readdirSync(path.join(stateDir, 'journal')) : [],
    ).toEqual([]);
  }, 30_000);

  it('waits for an alert that would inhibit the drill’s, then refuses to inject', async () => {
    const am = new AlertmanagerClient({ baseUrl: p.alertmanagerUrl });
    const appDown = { alertname: 'AppDown', job: 'demo-app', severity: 'critical' };
    await am.postAlerts([{ labels: appDown, endsAt: new Date(Date.now() + 60_000).toISOString() }]);
    try {
      const result = await run(
        defineDrill({
          id: 'inhibited',
          fault: appFault({ kind: 'memory-hog', mb: 10, ttl: '10s' }),
          expect: [
            alertFires('HighMemoryUsage', { within: '5s' }),
            slackMessage({ channel: '#alerts-warning', within: '5s' }),
          ],
        }),
        undefined,
        1000,
      );
      expect(result.status).toBe('error');
      expect(result.error?.message).toContain(
        'AppDown active in Alertmanager inhibits HighMemoryUsage: its notification would never be sent',
      );
      expect(result.steps.map((s) => s.name)).toEqual(['preflight']);
    } finally {
      await am.postAlerts([{ labels: appDown, endsAt: new Date().toISOString() }]);
    }
  }, 30_000);
});
