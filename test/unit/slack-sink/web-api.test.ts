import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackClient } from '../../../packages/firedrill/src/clients/slack.ts';
import { type SlackSink, startSlackSink } from '../../../packages/firedrill/src/slack-sink/server.ts';

const api = async (
  sink: SlackSink,
  method: string,
  init: RequestInit & { query?: Record<string, string> } = {},
) => {
  const q = init.query ? `?${new URLSearchParams(init.query)}` : '';
  const res = await fetch(`${sink.url}/api/${method}${q}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (sink: SlackSink, channel: string, text: string) =>
  fetch(`${sink.url}/hooks/${channel}`, { method: 'POST', body: JSON.stringify({ text }) });

describe('Web API', () => {
  let sink: SlackSink;
  let slack: SlackClient;
  beforeAll(async () => {
    sink = await startSlackSink({
      channels: ['alerts-critical', 'alerts-warning', 'reports'],
      tokens: ['xoxb-good'],
    });
    slack = new SlackClient({ apiUrl: `${sink.url}/api`, token: 'xoxb-good' });
  });
  afterAll(() => sink.close());

  it.each([
    ['no token', {}, 'not_authed'],
    ['an empty bearer', bearer(''), 'not_authed'],
    ['a token not on the list', bearer('xoxb-bad'), 'invalid_auth'],
  ])('%s → HTTP 200 ok:false %s', async (_name, headers, error) => {
    const res = await api(sink, 'conversations.list', { headers });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, error });
  });

  it('the client turns not_authed into a SlackApiError', async () => {
    const anon = new SlackClient({ apiUrl: `${sink.url}/api`, token: '' });
    await expect(anon.resolveChannel('#reports')).rejects.toThrow(
      'Slack conversations.list failed: not_authed (no token was sent: set the Slack bot token)',
    );
  });

  it('accepts the token as a form argument too, as Slack does', async () => {
    const res = await api(sink, 'auth.test', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=xoxb-good',
    });
    expect(res.body).toMatchObject({
      ok: true,
      team_id: expect.stringMatching(/^T/),
      bot_id: expect.stringMatching(/^B/),
    });
    expect(res.body.url).toBe(`${sink.url}/`);
  });

  it('lists channels with Slack-shaped ids, paging by cursor', async () => {
    const first = await api(sink, 'conversations.list', {
      headers: bearer('xoxb-good'),
      query: { limit: '2' },
    });
    const cursor = (first.body.response_metadata as { next_cursor: string }).next_cursor;
    expect(cursor).not.toBe('');
    const second = await api(sink, 'conversations.list', {
      headers: bearer('xoxb-good'),
      query: { limit: '2', cursor },
    });
    const names = [
      ...(first.body.channels as { name: string }[]),
      ...(second.body.channels as { name: string }[]),
    ];
    expect(names.map((c) => c.name).sort()).toEqual(['alerts-critical', 'alerts-warning', 'reports']);
    expect(second.body.response_metadata).toEqual({ next_cursor: '' });
    for (const c of (await slack.listChannels()) as unknown as Record<string, unknown>[]) {
      expect(c).toMatchObject({
        id: expect.stringMatching(/^C[A-Z0-9]{8,10}$/),
        is_channel: true,
        is_member: true,
      });
      expect(typeof c.created).toBe('number');
    }
  });

  it.each([
    ['a name instead of an id', { channel: 'alerts-critical' }],
    ['an unknown id', { channel: 'C0000000000' }],
    ['no channel', {}],
  ])('conversations.history with %s → channel_not_found', async (_name, query) => {
    const res = await api(sink, 'conversations.history', { headers: bearer('xoxb-good'), query });
    expect(res.body).toEqual({ ok: false, error: 'channel_not_found' });
  });

  it('answers the documented history shape', async () => {
    await post(sink, 'alerts-warning', 'one');
    const id = await slack.resolveChannel('alerts-warning');
    const res = await api(sink, 'conversations.history', {
      headers: bearer('xoxb-good'),
      query: { channel: id },
    });
    expect(res.body).toMatchObject({
      ok: true,
      has_more: false,
      pin_count: 0,
      response_metadata: { next_cursor: '' },
    });
    expect(res.body.messages).toEqual([
      expect.objectContaining({
        type: 'message',
        subtype: 'bot_message',
        text: 'one',
        ts: expect.any(String),
      }),
    ]);
  });

  it('chat.postMessage posts by name and the message shows in history', async () => {
    const res = await slack.postMessage({
      channel: '#reports',
      text: 'firedrill: 3 passed',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*3 passed*, 0 failed' } }],
    });
    expect(res.channel).toBe(await slack.resolveChannel('reports'));
    expect(res.message).toMatchObject({ type: 'message', text: 'firedrill: 3 passed', ts: res.ts });
    const [latest] = await slack.history({ channel: 'reports' });
    expect(latest).toEqual(res.message);
  });

  it.each([
    ['an unknown channel', { channel: '#nope', text: 'x' }, 'channel_not_found'],
    ['no text, blocks or attachments', { channel: '#reports' }, 'no_text'],
    ['attachments that are not JSON', { channel: '#reports', attachments: '[{' }, 'invalid_attachments'],
    ['blocks that are not an array', { channel: '#reports', blocks: { type: 'x' } }, 'invalid_blocks'],
  ])('chat.postMessage with %s → %s', async (_name, body, error) => {
    const res = await api(sink, 'chat.postMessage', {
      method: 'POST',
      headers: { ...bearer('xoxb-good'), 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
    expect(res.body).toEqual({ ok: false, error });
  });

  it('answers unknown methods and malformed JSON like Slack', async () => {
    expect((await api(sink, 'users.list', { headers: bearer('xoxb-good') })).body).toEqual({
      ok: false,
      error: 'unknown_method',
      req_method: 'users.list',
    });
    const bad = await api(sink, 'chat.postMessage', {
      method: 'POST',
      headers: { ...bearer('xoxb-good'), 'content-type': 'application/json' },
      body: '{"channel":',
    });
    expect(bad.body).toEqual({ ok: false, error: 'invalid_json' });
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After, and the client waits it out and reports it', async () => {
    const sink = await startSlackSink({
      rateLimit: { 'conversations.history': { limit: 1, windowMs: 1000 } },
    });
    try {
      await post(sink, 'alerts-critical', '[FIRING:1] HighApiErrorRate api');
      const slack = new SlackClient({ apiUrl: `${sink.url}/api`, token: 'xoxb-x' });
      const id = await slack.resolveChannel('alerts-critical');
      const q = { channel: id };
      expect((await api(sink, 'conversations.history', { headers: bearer('x'), query: q })).status).toBe(200);
      const limited = await api(sink, 'conversations.history', { headers: bearer('x'), query: q });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });

      const started = Date.now();
      const res = await slack.waitForMessage({
        channel: '#alerts-critical',
        match: { alertName: 'HighApiErrorRate' },
        oldest: started - 60_000,
        deadline: started + 5000,
      });
      expect(res.rateLimited).toBe(true);
      expect(res.rateLimitedMs).toBeGreaterThanOrEqual(500);
      expect(res.rateLimitedMs).toBeLessThan(1500);
      expect(res.seenAt - started).toBeGreaterThanOrEqual(res.rateLimitedMs);
    } finally {
      await sink.close();
    }
  });
});

describe('persistence', () => {
  it('keeps channels, messages and ts order across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slack-sink-'));
    const dataFile = join(dir, 'messages.jsonl');
    try {
      const first = await startSlackSink({ dataFile });
      await post(first, 'alerts-critical', 'before restart 1');
      await post(first, 'alerts-critical', 'before restart 2');
      const before = new SlackClient({ apiUrl: `${first.url}/api`, token: 'x' });
      const id = await before.resolveChannel('alerts-critical');
      await first.close();
      // A crash mid-write leaves a torn line; the sink must still start.
      appendFileSync(dataFile, '{"kind":"message","chan');

      const second = await startSlackSink({ dataFile });
      try {
        const after = new SlackClient({ apiUrl: `${second.url}/api`, token: 'x' });
        expect(await after.resolveChannel('alerts-critical')).toBe(id);
        await post(second, 'alerts-critical', 'after restart');
        const texts = (await after.history({ channel: id })).map((m) => m.text);
        expect(texts).toEqual(['after restart', 'before restart 2', 'before restart 1']);

        const cleared = await fetch(`${second.url}/_sink/messages?channel=alerts-critical`, {
          method: 'DELETE',
        });
        expect(await cleared.json()).toEqual({ removed: 3 });
        expect(await after.history({ channel: id })).toEqual([]);
        expect(readFileSync(dataFile, 'utf8')).not.toContain('restart');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
