import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertmanagerConfigOptions,
  renderAlertmanagerConfig,
} from '../../../config/alerting/alertmanager.ts';
import { REPO_ROOT, run, startAlertmanager, tempDir } from './tools.ts';

const CHANNELS = { critical: '#alerts-critical', warning: '#alerts-warning' };
const slackWebhookUrl = (channel: string) => `https://hooks.slack.com/services/T000/B000/${channel.slice(1)}`;
const options = (extra: Partial<AlertmanagerConfigOptions> = {}): AlertmanagerConfigOptions => ({
  profile: 'fast',
  channels: CHANNELS,
  slackWebhookUrl,
  ...extra,
});

const tmp = tempDir('alertmanager');
afterAll(() => tmp.remove());

describe('renderAlertmanagerConfig', () => {
  it.each([
    ['fast, with the firedrill webhook', options({ firedrillWebhookUrl: 'http://127.0.0.1:9797/webhook' })],
    ['fast, Slack only', options()],
    [
      'default, with the firedrill webhook',
      options({ profile: 'default', firedrillWebhookUrl: 'http://fd:1/w' }),
    ],
    ['default, Slack only', options({ profile: 'default' })],
    ['one channel for every severity', options({ channels: { critical: '#ops', warning: '#ops' } })],
  ])('passes amtool check-config: %s', async (_name, opts) => {
    const file = tmp.write(`check-${Math.random()}.yml`, renderAlertmanagerConfig(opts));
    const result = await run('amtool', ['check-config', file]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('passes amtool check-config: the committed example', async () => {
    const result = await run('amtool', [
      'check-config',
      join(REPO_ROOT, 'config/alertmanager/alertmanager.example.yml'),
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it.each([
    ['severity=critical', true, 'firedrill,slack-alerts-critical'],
    ['severity=warning', true, 'firedrill,slack-alerts-warning'],
    ['severity=info', true, 'firedrill,slack-alerts-warning'],
    ['severity=critical', false, 'slack-alerts-critical'],
    ['severity=warning', false, 'slack-alerts-warning'],
    ['alertname=Watchdog', false, 'slack-alerts-warning'],
  ])('amtool config routes test %s (firedrill webhook: %s) → %s', async (labels, webhook, receivers) => {
    const opts = options(webhook ? { firedrillWebhookUrl: 'http://127.0.0.1:9797/webhook' } : {});
    const file = tmp.write(`routes-${Math.random()}.yml`, renderAlertmanagerConfig(opts));
    const result = await run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, labels]);
    expect(result.stdout.trim()).toBe(receivers);
  });

  it('groups by alert name, job and drill id, and times the fast profile for drills', () => {
    const text = renderAlertmanagerConfig(options());
    expect(text).toContain('group_by:\n    - alertname\n    - job\n    - drill_id\n');
    expect(text).toContain('group_wait: 0s\n  group_interval: 1s\n');
    expect(renderAlertmanagerConfig(options({ profile: 'default' }))).toContain(
      'group_wait: 30s\n  group_interval: 5m\n',
    );
  });

  it('collects every problem with its options into one error', () => {
    expect(() =>
      renderAlertmanagerConfig({
        profile: 'fast',
        channels: { critical: 'alerts-critical', 'Not A Label': '#ok' },
        slackWebhookUrl: (channel) => (channel === '#ok' ? 'hooks.slack.com/x' : 'https://x'),
        firedrillWebhookUrl: 'ftp://firedrill',
      }),
    ).toThrow(
      'renderAlertmanagerConfig: 4 problem(s):\n' +
        '  channels.critical: expected a channel like #alerts-critical, got "alerts-critical"\n' +
        '  channels: severity "Not A Label" must be a label value like critical\n' +
        `  slackWebhookUrl('#ok'): expected an http(s) URL, got "hooks.slack.com/x"\n` +
        '  firedrillWebhookUrl: expected an http(s) URL, got "ftp://firedrill"',
    );
    expect(() => renderAlertmanagerConfig(options({ channels: {} }))).toThrow(
      "renderAlertmanagerConfig: 1 problem(s):\n  channels: map at least one severity to a Slack channel, e.g. { critical: '#alerts-critical' }",
    );
    expect(() => renderAlertmanagerConfig(options({ profile: 'slow' as 'fast' }))).toThrow(
      'unknown profile "slow" (expected one of: fast, default)',
    );
  });
});

interface Received {
  path: string;
  body: Record<string, unknown>;
}

// The real Alertmanager renders the templates and routes to real HTTP receivers: proof that the
// messages carry what firedrill's Slack verifier matches on, for firing and resolved alike.
describe('rendered config in a real Alertmanager 0.25', () => {
  const received: Received[] = [];
  let sink: Server;
  let alertmanager: Awaited<ReturnType<typeof startAlertmanager>>;

  beforeAll(async () => {
    sink = createServer((req, res) => {
      let data = '';
      req.on('data', (chunk: Buffer) => {
        data += chunk.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(data) as Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    const config = renderAlertmanagerConfig({
      profile: 'fast',
      channels: CHANNELS,
      slackWebhookUrl: (channel) => `${base}/slack/${channel.slice(1)}`,
      firedrillWebhookUrl: `${base}/firedrill`,
    });
    alertmanager = await startAlertmanager(tmp.write('e2e.yml', config), tmp.dir);
  });

  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise((resolve) => sink?.close(resolve));
  });

  const alert = (endsAt?: string) => ({
    labels: {
      alertname: 'HighApiErrorRate',
      severity: 'critical',
      job: 'demo-app',
      drill_id: 'drill-42',
      request_id: 'req-abc',
    },
    annotations: {
      summary: 'More than 5% of /api requests fail with 5xx',
      runbook_url: 'https://example.com/rb',
    },
    ...(endsAt ? { endsAt } : {}),
  });

  async function post(body: object): Promise<void> {
    const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([body]),
    });
    expect(res.status).toBe(200);
  }

  async function waitFor(path: string, count: number): Promise<Received[]> {
    const deadline = Date.now() + 8_000;
    for (;;) {
      const matching = received.filter((r) => r.path === path);
      if (matching.length >= count || Date.now() > deadline) return matching;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('sends firing and resolved messages to the critical channel and the firedrill webhook only', async () => {
    await post(alert());
    const [firing] = await waitFor('/slack/alerts-critical', 1);
    const attachment = (firing?.body.attachments as Record<string, string>[] | undefined)?.[0];
    expect(firing?.body.channel).toBe('#alerts-critical');
    expect(attachment?.title).toBe('[FIRING:1] HighApiErrorRate (critical) drill_id=drill-42');
    expect(attachment?.color).toBe('danger');
    expect(attachment?.text).toBe(
      '*HighApiErrorRate* firing, severity critical\n' +
        'More than 5% of /api requests fail with 5xx\n' +
        'Runbook: https://example.com/rb\n' +
        'Labels: alertname=HighApiErrorRate drill_id=drill-42 job=demo-app request_id=req-abc severity=critical\n',
    );
    expect(attachment?.fallback).toBe(
      '[FIRING:1] HighApiErrorRate (critical) drill_id=drill-42: More than 5% of /api requests fail with 5xx',
    );

    await post(alert(new Date(Date.now() - 1000).toISOString()));
    const messages = await waitFor('/slack/alerts-critical', 2);
    const resolved = (messages[1]?.body.attachments as Record<string, string>[] | undefined)?.[0];
    expect(resolved?.title).toBe('[RESOLVED] HighApiErrorRate (critical) drill_id=drill-42');
    expect(resolved?.color).toBe('good');

    const webhook = await waitFor('/firedrill', 2);
    expect(webhook.map((w) => w.body.status)).toEqual(['firing', 'resolved']);
    expect(webhook[0]?.body.groupLabels).toEqual({
      alertname: 'HighApiErrorRate',
      drill_id: 'drill-42',
      job: 'demo-app',
    });
    expect(received.filter((r) => r.path === '/slack/alerts-warning')).toEqual([]);
  });
});
