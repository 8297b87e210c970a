import { createServer } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackClient } from '../../../packages/firedrill/src/clients/slack.ts';
import { WebhookReceiver } from '../../../packages/firedrill/src/clients/webhook-receiver.ts';
import { noSlackMessageVerifier } from '../../../packages/firedrill/src/conditions/no-slack-message.ts';
import { parseNotificationCounts } from '../../../packages/firedrill/src/conditions/notifications.ts';
import { slackMessageVerifier } from '../../../packages/firedrill/src/conditions/slack-message.ts';
import type { VerifierContext } from '../../../packages/firedrill/src/conditions/types.ts';
import { Timeline } from '../../../packages/firedrill/src/core/timeline.ts';
import { type SlackSink, startSlackSink } from '../../../packages/firedrill/src/slack-sink/server.ts';

// The real Slack sink in-process; messages posted the way Alertmanager's slack_configs does.
let sink: SlackSink;
beforeAll(async () => {
  sink = await startSlackSink({ logger: pino({ enabled: false }) });
});
afterAll(async () => {
  await sink.close();
});

async function post(channel: string, title: string): Promise<void> {
  const res = await fetch(`${sink.url}/hooks/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.25.0' },
    body: JSON.stringify({
      channel: `#${channel}`,
      username: 'Alertmanager',
      attachments: [{ title, text: '', color: 'danger' }],
    }),
  });
  expect(res.status).toBe(200);
}

function ctx(over: Partial<VerifierContext> = {}): VerifierContext {
  return {
    drillId: 'd',
    runId: 'd-1',
    injectedAt: Date.now() - 100,
    timeline: new Timeline({ id: 'd', runId: 'd-1' }),
    logger: pino({ enabled: false }),
    slack: new SlackClient({ apiUrl: `${sink.url}/api`, token: 'xoxb-t' }),
    slackPollMs: 25,
    slackChannels: ['#alerts-critical', '#alerts-warning'],
    requestIds: () => [],
    root: '.',
    ...over,
  };
}

describe('Slack verifiers against the sink', () => {
  it('passes with posted/seen times when the message lands in the right channel', async () => {
    const c = ctx();
    const v = slackMessageVerifier(
      { type: 'slackMessage', channel: '#alerts-critical', alert: 'HighApiErrorRate', within: 5000 },
      c,
    );
    setTimeout(() => void post('alerts-critical', '[FIRING:1] HighApiErrorRate (critical)'), 100);
    const r = await v.wait(Date.now() + 5000, new AbortController().signal);
    expect(r.status).toBe('pass');
    expect(r.actual).toMatchObject({ channel: '#alerts-critical', rateLimited: false });
    expect(r.marks!.slackSeen! - r.marks!.slackPosted!).toBeLessThan(500);
  });

  it('names the wrong channel when the message went elsewhere', async () => {
    const c = ctx();
    await post('alerts-warning', '[FIRING:1] MisroutedAlert (critical)');
    const v = slackMessageVerifier(
      { type: 'slackMessage', channel: '#alerts-critical', alert: 'MisroutedAlert', within: 1000 },
      c,
    );
    const r = await v.wait(Date.now() + 600, new AbortController().signal);
    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      'message about MisroutedAlert arrived in the wrong channel: #alerts-warning instead of #alerts-critical',
    );
  });

  it('reports the closest message when nothing matched anywhere', async () => {
    const c = ctx();
    await post('alerts-critical', '[FIRING:1] SomethingElse (critical)');
    const r = await slackMessageVerifier(
      { type: 'slackMessage', channel: '#alerts-critical', alert: 'Nothing', within: 1000 },
      c,
    ).wait(Date.now() + 400, new AbortController().signal);
    expect(r.message).toMatch(
      /^no message about Nothing in #alerts-critical within 1\.0s \(\d+ other messages seen, \d+ polls; closest: ".*SomethingElse.*" \(failed: alertName\)\)$/,
    );
  });

  it('noSlackMessage passes quietly and fails when the alert shows up', async () => {
    const quiet = await noSlackMessageVerifier(
      { type: 'noSlackMessage', channel: '#alerts-warning', alert: 'QuietAlert', within: 300 },
      ctx(),
    ).wait(Date.now() + 5000, new AbortController().signal);
    expect(quiet.status).toBe('pass');
    const c = ctx();
    await post('alerts-warning', '[FIRING:1] LoudAlert (critical)');
    const loud = await noSlackMessageVerifier(
      { type: 'noSlackMessage', channel: '#alerts-warning', alert: 'LoudAlert', within: 1000 },
      c,
    ).wait(Date.now() + 5000, new AbortController().signal);
    expect(loud.status).toBe('fail');
    expect(loud.message).toBe('message about LoudAlert arrived in #alerts-warning, which must not get it');
  });

  it('matches a routing drill by its drill id', async () => {
    const c = ctx({ drillLabel: 'routing-abc' });
    await post('alerts-critical', '[FIRING:1] FiredrillRoutingCritical (critical) drill_id=routing-old');
    const v = slackMessageVerifier(
      { type: 'slackMessage', channel: '#alerts-critical', alert: 'FiredrillRoutingCritical', within: 2000 },
      c,
    );
    setTimeout(
      () =>
        void post('alerts-critical', '[FIRING:1] FiredrillRoutingCritical (critical) drill_id=routing-abc'),
      100,
    );
    const r = await v.wait(Date.now() + 2000, new AbortController().signal);
    expect(r.status).toBe('pass');
    expect(String((r.actual as { text: string }).text)).toContain('drill_id=routing-abc');
  });
});

describe('WebhookReceiver', () => {
  it('stamps arrival, serves waiters and subscribers, refuses other paths and bad bodies', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}/alertmanager`;
    const rx = (await WebhookReceiver.listen(url))!;
    // A second listener on the same port gets undefined: the caller falls back to polling.
    expect(await WebhookReceiver.listen(url)).toBeUndefined();
    const seen: string[] = [];
    const unsubscribe = rx.subscribe((a) => seen.push(`${a.alert.status}:${a.alert.labels.alertname}`));
    const waiting = rx.waitFor((a) => a.alert.labels.alertname === 'B', 0, AbortSignal.timeout(5000));
    const payload = (status: string, names: string[]) => ({
      version: '4',
      groupKey: '{}:{alertname="A"}',
      status,
      receiver: 'firedrill',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://am',
      alerts: names.map((n) => ({
        status,
        labels: { alertname: n },
        annotations: {},
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
      })),
    });
    const before = Date.now();
    expect(
      (await fetch(url, { method: 'POST', body: JSON.stringify(payload('firing', ['A', 'B'])) })).status,
    ).toBe(200);
    const got = await waiting;
    expect(got.receivedAt).toBeGreaterThanOrEqual(before);
    expect(got.receiver).toBe('firedrill');
    expect(seen).toEqual(['firing:A', 'firing:B']);
    unsubscribe();
    expect((await fetch(`http://127.0.0.1:${port}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(url, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect(rx.received(before).map((a) => a.alert.labels.alertname)).toEqual(['A', 'B']);
    await expect(rx.waitFor(() => false, 0, AbortSignal.timeout(50))).rejects.toBeDefined();
    await rx.close();
  });
});

describe('parseNotificationCounts', () => {
  it("sums Alertmanager's per-integration counters (0.25 and newer reason-split failures)", () => {
    const text = [
      '# HELP alertmanager_notifications_total The total number of attempted notifications.',
      'alertmanager_notifications_total{integration="slack"} 7',
      'alertmanager_notifications_total{integration="webhook"} 9',
      'alertmanager_notifications_failed_total{integration="slack"} 1',
      'alertmanager_notifications_failed_total{integration="slack",reason="clientError"} 2',
    ].join('\n');
    expect(parseNotificationCounts(text, 'slack')).toEqual({ sent: 7, failed: 3 });
    expect(parseNotificationCounts(text, 'webhook')).toEqual({ sent: 9, failed: 0 });
  });
});

describe('alert state from Grafana', () => {
  it("maps Grafana's instance states and honours expected labels", async () => {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { GrafanaClient } = await import('../../../packages/firedrill/src/clients/grafana.ts');
    const { sightAlert } = await import('../../../packages/firedrill/src/conditions/alert-fires.ts');
    const body = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/grafana/rules.json'), 'utf8');
    const grafana = new GrafanaClient({
      baseUrl: 'http://grafana.local',
      token: 't',
      fetch: (async () => new Response(body, { status: 200 })) as typeof fetch,
    });
    const c = ctx({ grafana });
    const signal = new AbortController().signal;
    expect(await sightAlert(c, 'grafana', { alert: 'HighApiErrorRate' }, signal)).toMatchObject({
      state: 'firing',
      activeAt: Date.parse('2026-11-26T19:40:01.123Z'),
    });
    expect(
      (
        await sightAlert(
          c,
          'grafana',
          { alert: 'HighApiErrorRate', labels: { route: '/api/images' } },
          signal,
        )
      ).state,
    ).toBe('inactive');
    expect((await sightAlert(c, 'grafana', { alert: 'SlowApiResponses' }, signal)).state).toBe('pending');
    expect((await sightAlert(c, 'grafana', { alert: 'AppDown' }, signal)).state).toBe('error');
  });
});
