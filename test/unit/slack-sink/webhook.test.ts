import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackClient } from '../../../packages/firedrill/src/clients/slack.ts';
import {
  type SlackSink,
  type StoredMessage,
  startSlackSink,
} from '../../../packages/firedrill/src/slack-sink/server.ts';

const fixtureText = (name: string) =>
  readFileSync(new URL(`../../fixtures/slack/${name}`, import.meta.url), 'utf8');
const amBody = fixtureText('alertmanager-0.25-webhook-body.json');
const grafanaBody = fixtureText('grafana-webhook-body.json');

let sink: SlackSink;
let slack: SlackClient;

beforeAll(async () => {
  sink = await startSlackSink({ port: 0 });
  slack = new SlackClient({ apiUrl: `${sink.url}/api`, token: 'xoxb-any' });
});
afterAll(() => sink.close());

const hook = (channel: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${sink.url}/hooks/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

const sinkMessages = async (channel: string): Promise<(StoredMessage & { body: unknown })[]> =>
  ((await (await fetch(`${sink.url}/_sink/messages?channel=${channel}`)).json()) as { messages: [] })
    .messages;

describe('incoming webhooks', () => {
  it("stores Alertmanager 0.25's real body and serves it back through the Web API", async () => {
    const before = Date.now();
    const res = await hook('alerts-critical', amBody, { 'user-agent': 'Alertmanager/0.25.0' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('ok');

    const [msg] = await slack.history({ channel: '#alerts-critical' });
    expect(msg).toMatchObject({
      type: 'message',
      subtype: 'bot_message',
      username: 'Alertmanager',
      text: '',
      attachments: [
        {
          id: 1,
          title: '[FIRING:1] MyFault test-0 (127.0.0.1:9101 fault page)',
          color: 'danger',
          mrkdwn_in: ['fallback', 'pretext', 'text'],
        },
      ],
    });
    expect(msg!.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(msg!.bot_id).toMatch(/^B[A-Z0-9]+$/);

    const [stored] = await sinkMessages('alerts-critical');
    expect(stored).toMatchObject({
      userAgent: 'Alertmanager/0.25.0',
      bodyChannel: '#alerts',
      source: 'webhook',
    });
    expect(stored!.raw).toBe(amBody);
    expect(stored!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(stored!.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it('lets the URL, not the body, decide the channel', async () => {
    // The reference body says "#alerts"; it was posted to the alerts-critical hook above.
    await expect(slack.resolveChannel('#alerts')).rejects.toThrow('channel_not_found');
    const id = await slack.resolveChannel('#alerts-critical');
    expect(id).toMatch(/^C[A-Z0-9]{8,10}$/);
  });

  it("accepts Grafana's webhook-mode body; matching finds the alert inside blocks", async () => {
    const oldest = Date.now();
    expect((await hook('alerts-warning', grafanaBody, { 'user-agent': 'Grafana/11.3.0' })).status).toBe(200);
    const res = await slack.waitForMessage({
      channel: '#alerts-warning',
      match: { alertName: 'SlowResponses', drillId: 'drill-slow-42', resolved: false },
      oldest,
      deadline: Date.now() + 3000,
      pollIntervalMs: 50,
    });
    expect(res.message).toMatchObject({ username: 'Grafana', icons: { emoji: ':grafana:' } });
    expect(res.message.blocks).toHaveLength(3);
    expect(res.postedAt).toBeGreaterThanOrEqual(oldest);
  });

  it('accepts the form-encoded payload= variant', async () => {
    const res = await fetch(`${sink.url}/hooks/alerts-form`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payload: JSON.stringify({ text: 'form hello' }) }).toString(),
    });
    expect(await res.text()).toBe('ok');
    expect((await slack.history({ channel: 'alerts-form' }))[0]?.text).toBe('form hello');
  });

  it.each<[string, string, string | undefined, number, string]>([
    ['not JSON', 'alerts-critical', 'nope{', 400, 'invalid_payload'],
    ['empty body', 'alerts-critical', undefined, 400, 'invalid_payload'],
    ['a JSON array', 'alerts-critical', '[]', 400, 'invalid_payload'],
    ['attachments not an array', 'alerts-critical', '{"attachments":{}}', 400, 'invalid_payload'],
    ['nothing to show', 'alerts-critical', '{"username":"x"}', 400, 'no_text'],
    ['blank text', 'alerts-critical', '{"text":"  "}', 400, 'no_text'],
    [
      '101 attachments',
      'alerts-critical',
      JSON.stringify({ attachments: Array(101).fill({ text: 'a' }) }),
      400,
      'too_many_attachments',
    ],
    ['no channel in the URL', '', '{"text":"x"}', 404, 'no_service'],
    ['a nested path', 'a/b', '{"text":"x"}', 404, 'no_service'],
    ['an invalid channel name', 'Alerts%20Critical', '{"text":"x"}', 404, 'no_service'],
  ])('%s → %d %s', async (_name, channel, body, status, error) => {
    const res = await fetch(`${sink.url}/hooks/${channel}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(error);
  });

  it('answers no_service for channels that do not exist when auto-creation is off', async () => {
    const fixed = await startSlackSink({ channels: ['alerts-critical'] });
    try {
      const post = (ch: string) =>
        fetch(`${fixed.url}/hooks/${ch}`, { method: 'POST', body: '{"text":"x"}' }).then(async (r) => [
          r.status,
          await r.text(),
        ]);
      expect(await post('alerts-critical')).toEqual([200, 'ok']);
      expect(await post('alerts-other')).toEqual([404, 'no_service']);
    } finally {
      await fixed.close();
    }
  });
});

describe('timestamps', () => {
  it('gives concurrent messages unique, strictly increasing ts, served newest first', async () => {
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => hook('burst', JSON.stringify({ text: `m${i}` }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const stored = await sinkMessages('burst');
    const ts = stored.map((m) => m.ts);
    expect(new Set(ts).size).toBe(n);
    const micros = ts.map((t) => BigInt(t.replace('.', '')));
    for (let i = 1; i < micros.length; i++) expect(micros[i]! > micros[i - 1]!).toBe(true);
    // receivedAt and ts agree to the millisecond, which latency measurements rely on.
    for (const m of stored) expect(Math.floor(Number(m.ts) * 1000) - m.receivedAt).toBeLessThanOrEqual(1);

    const history = await slack.history({ channel: 'burst' });
    expect(history.map((m) => m.ts)).toEqual([...ts].reverse());
  });

  it('pages conversations.history through next_cursor, oldest/latest bounds included', async () => {
    const all = await slack.history({ channel: 'burst' });
    const id = await slack.resolveChannel('burst');
    const pages: string[][] = [];
    let cursor = '';
    do {
      const q = new URLSearchParams({ channel: id, limit: '15', ...(cursor ? { cursor } : {}) });
      const res = (await (
        await fetch(`${sink.url}/api/conversations.history?${q}`, { headers: { authorization: 'Bearer x' } })
      ).json()) as {
        messages: { ts: string }[];
        has_more: boolean;
        response_metadata: { next_cursor: string };
      };
      pages.push(res.messages.map((m) => m.ts));
      expect(res.has_more).toBe(res.response_metadata.next_cursor !== '');
      cursor = res.response_metadata.next_cursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([15, 15, 10]);
    expect(pages.flat()).toEqual(all.map((m) => m.ts));

    const mid = all[20]!.ts;
    const post = (extra: Record<string, string>) =>
      fetch(`${sink.url}/api/conversations.history`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer x' },
        body: new URLSearchParams({ channel: id, ...extra }).toString(),
      }).then(async (r) => ((await r.json()) as { messages: { ts: string }[] }).messages.map((m) => m.ts));
    expect(await post({ oldest: mid })).toEqual(all.slice(0, 20).map((m) => m.ts));
    expect(await post({ oldest: mid, inclusive: 'true' })).toEqual(all.slice(0, 21).map((m) => m.ts));
    expect(await post({ latest: mid })).toEqual(all.slice(21).map((m) => m.ts));
  });
});
