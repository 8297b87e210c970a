import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackClient } from '../../../packages/firedrill/src/clients/slack.ts';
import {
  type SlackSink,
  type StoredMessage,
  startSlackSink,
} from '../../../packages/firedrill/src/slack-sink/server.ts';
import { freePort, spawn, stop } from './process.ts';

/**
 * The real thing: Debian's Alertmanager 0.25 delivers to the sink through `slack_configs`,
 * and SlackClient finds the notification exactly as it would in real Slack.
 */

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const referencePath = new URL('../../fixtures/slack/alertmanager-0.25-webhook-body.json', import.meta.url);
const alertName = 'FiredrillSinkE2E';
const drillId = `drill-${randomUUID().slice(0, 8)}`;

let dir: string;
let sink: SlackSink;
let am: ChildProcess | undefined;
let amUrl: string;
let amLog = '';

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} not within ${timeoutMs} ms; alertmanager log:\n${amLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function postAlert(extra: { startsAt: string; endsAt?: string }): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels: { alertname: alertName, severity: 'critical', drill_id: drillId },
        annotations: { summary: 'firedrill sink end-to-end check' },
        generatorURL: 'http://firedrill.local/e2e',
        ...extra,
      },
    ]),
  });
  expect(res.status).toBe(200);
}

describe.skipIf(!existsSync(ALERTMANAGER))('Alertmanager 0.25 → slack sink → SlackClient', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firedrill-am-e2e-'));
    sink = await startSlackSink({ channels: ['alerts-critical'] });
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    const config = join(dir, 'alertmanager.yml');
    // group_interval 1s: the resolved notification goes out on the next 1 s tick, not in 5 min.
    writeFileSync(
      config,
      `route:
  receiver: slack
  group_by: ['alertname']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: slack
    slack_configs:
      - api_url: ${sink.url}/hooks/alerts-critical
        channel: '#alerts-critical'
        send_resolved: true
`,
    );
    am = spawn(
      ALERTMANAGER,
      [
        `--config.file=${config}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=debug',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const s of [am.stdout, am.stderr]) s?.on('data', (d: Buffer) => (amLog += d.toString()));
    await until('alertmanager ready', 10_000, async () =>
      (await fetch(`${amUrl}/-/ready`)).ok ? true : undefined,
    );
  }, 20_000);

  afterAll(async () => {
    if (am) await stop(am);
    await sink?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const slack = () => new SlackClient({ apiUrl: `${sink.url}/api`, token: 'xoxb-e2e' });
  const sinkMessages = async () =>
    (
      (await (await fetch(`${sink.url}/_sink/messages?channel=alerts-critical`)).json()) as {
        messages: (StoredMessage & { body: { attachments?: { title?: string; color?: string }[] } })[];
      }
    ).messages;

  it('delivers the firing notification with the real body, and then the resolved one', async () => {
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const injected = Date.now();
    await postAlert({ startsAt });

    const firing = await slack().waitForMessage({
      channel: '#alerts-critical',
      match: { alertName, drillId, resolved: false },
      oldest: injected,
      deadline: injected + 8000,
      pollIntervalMs: 100,
    });
    expect(firing.message.attachments?.[0]?.title).toBe(`[FIRING:1] ${alertName} (${drillId} critical)`);
    expect(firing.postedAt - injected).toBeLessThan(5000);

    const [stored] = await sinkMessages();
    expect(stored!.userAgent).toBe('Alertmanager/0.25.0');
    expect(stored!.bodyChannel).toBe('#alerts-critical');
    // Same shape as the shared reference capture, key for key.
    const reference = JSON.parse(readFileSync(referencePath, 'utf8')) as { attachments: object[] };
    const body = JSON.parse(stored!.raw) as { attachments: object[] };
    expect(Object.keys(body)).toEqual(Object.keys(reference));
    expect(Object.keys(body.attachments[0]!)).toEqual(Object.keys(reference.attachments[0]!));
    expect(stored!.body).toMatchObject({
      channel: '#alerts-critical',
      username: 'Alertmanager',
      attachments: [{ color: 'danger', mrkdwn_in: ['fallback', 'pretext', 'text'] }],
    });

    const resolving = Date.now();
    await postAlert({ startsAt, endsAt: new Date(resolving - 500).toISOString() });
    const resolved = await slack().waitForMessage({
      channel: '#alerts-critical',
      match: { alertName, drillId, resolved: true },
      oldest: resolving,
      deadline: resolving + 8000,
      pollIntervalMs: 100,
    });
    expect(resolved.message.attachments?.[0]).toMatchObject({
      title: `[RESOLVED] ${alertName} (${drillId} critical)`,
      color: 'good',
    });
    expect((await sinkMessages()).map((m) => m.body.attachments?.[0]?.color)).toEqual(['danger', 'good']);
  }, 20_000);
});
