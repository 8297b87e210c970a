import { describe, expect, it } from 'vitest';
import {
  SlackApiError,
  SlackClient,
  SlackWaitTimeoutError,
} from '../../../packages/firedrill/src/clients/slack.ts';
import { fakeSlack, fixture, ok, type Reply } from '../../fixtures/slack/fake-slack.ts';

const lists = () => [ok('conversations-list-page1'), ok('conversations-list-page2')];
const client = (f: ReturnType<typeof fakeSlack>, extra: { maxRateLimitRetries?: number } = {}) =>
  new SlackClient({ apiUrl: 'https://slack.example/api/', token: 'xoxb-test', fetch: f.fetch, ...extra });
const tooMany = (seconds: string): Reply => ({
  status: 429,
  headers: { 'retry-after': seconds },
  json: fixture('error-ratelimited'),
});

describe('SlackClient.resolveChannel', () => {
  it('pages through conversations.list and caches the id', async () => {
    const f = fakeSlack({ 'conversations.list': lists() });
    const c = client(f);
    expect(await c.resolveChannel('#alerts-critical')).toBe('C07ALRTCRT1');
    expect(await c.resolveChannel('alerts-critical')).toBe('C07ALRTCRT1');
    expect(await c.resolveChannel('general')).toBe('C012AB3CD');
    const calls = f.calls('conversations.list');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.url.searchParams.get('cursor')).toBeNull();
    expect(calls[1]!.url.searchParams.get('cursor')).toBe('dGVhbTpDMDYxRkE1UEI=');
    expect(calls[0]!.url.searchParams.get('types')).toBe('public_channel');
    expect(calls[0]!.headers.authorization).toBe('Bearer xoxb-test');
    expect(calls[0]!.url.href).toMatch(/^https:\/\/slack\.example\/api\/conversations\.list\?/);
  });

  it('passes ids through without a lookup', async () => {
    const f = fakeSlack({});
    expect(await client(f).resolveChannel('C07ALRTCRT1')).toBe('C07ALRTCRT1');
    expect(f.requests).toHaveLength(0);
  });

  it('throws channel_not_found naming the channel', async () => {
    const f = fakeSlack({ 'conversations.list': lists() });
    const c = client(f);
    await expect(c.resolveChannel('#nope')).rejects.toThrow(
      'Slack conversations.list failed: channel_not_found (channel "#nope")',
    );
    await expect(c.history({ channel: '#nope' })).rejects.toThrow(
      'Slack conversations.history failed: channel_not_found (channel "#nope")',
    );
  });
});

describe('SlackClient.history', () => {
  it('follows next_cursor and sends oldest as a Slack ts', async () => {
    const f = fakeSlack({
      'conversations.history': [ok('conversations-history-page1'), ok('conversations-history-page2')],
    });
    const messages = await client(f).history({ channel: 'C07ALRTCRT1', oldest: 1732650000123 });
    expect(messages.map((m) => m.ts)).toEqual([
      '1732650060.000216',
      '1732650030.000200',
      '1732650012.000100',
      '1732650001.000050',
    ]);
    const [first, second] = f.calls('conversations.history');
    expect(first!.url.searchParams.get('oldest')).toBe('1732650000.123000');
    expect(first!.url.searchParams.get('inclusive')).toBe('true');
    expect(first!.url.searchParams.get('channel')).toBe('C07ALRTCRT1');
    expect(second!.url.searchParams.get('cursor')).toBe('bmV4dF90czoxNzMyNjUwMDMwMDAwMjAw');
  });

  it('stops paging once limit messages are in', async () => {
    const f = fakeSlack({ 'conversations.history': [ok('conversations-history-page1')] });
    const messages = await client(f).history({ channel: 'C07ALRTCRT1', limit: 2 });
    expect(messages).toHaveLength(2);
    expect(f.calls('conversations.history')).toHaveLength(1);
    expect(f.calls('conversations.history')[0]!.url.searchParams.get('limit')).toBe('2');
  });

  it('waits out a 429 for Retry-After seconds, then retries', async () => {
    const f = fakeSlack({ 'conversations.history': [tooMany('1'), ok('conversations-history-page2')] });
    const waits: number[] = [];
    const started = Date.now();
    const messages = await client(f).history({
      channel: 'C07ALRTCRT1',
      onRateLimited: (ms, method) => waits.push(ms) && expect(method).toBe('conversations.history'),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(waits).toEqual([1000]);
    expect(messages).toHaveLength(2);
  });

  it('gives up after maxRateLimitRetries', async () => {
    const f = fakeSlack({ 'conversations.history': [tooMany('30')] });
    await expect(client(f, { maxRateLimitRetries: 0 }).history({ channel: 'C07ALRTCRT1' })).rejects.toThrow(
      'Slack conversations.history failed: ratelimited (channel "C07ALRTCRT1")',
    );
  });

  it.each<[string, Reply, string]>([
    [
      'not_authed',
      ok('error-not-authed'),
      'not_authed (channel "C07ALRTCRT1"; no token was sent: set the Slack bot token)',
    ],
    [
      'invalid_auth',
      ok('error-invalid-auth'),
      'invalid_auth (channel "C07ALRTCRT1"; the token was rejected)',
    ],
    ['channel_not_found', ok('error-channel-not-found'), 'channel_not_found (channel "C07ALRTCRT1")'],
    [
      'not_in_channel',
      ok('error-not-in-channel'),
      'not_in_channel (channel "C07ALRTCRT1"; invite the bot to the channel to read its history)',
    ],
    [
      'missing_scope',
      ok('error-missing-scope'),
      'missing_scope (channel "C07ALRTCRT1"; needed scope: channels:history; token has: chat:write,channels:read)',
    ],
    ['HTTP 502 page', { status: 502, text: '<html>Bad Gateway</html>' }, 'http_502 (channel "C07ALRTCRT1")'],
    ['200 but not JSON', { text: 'ok' }, 'invalid_response (channel "C07ALRTCRT1")'],
  ])('%s becomes a SlackApiError', async (_name, reply, expected) => {
    const f = fakeSlack({ 'conversations.history': [reply] });
    const err = await client(f)
      .history({ channel: 'C07ALRTCRT1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackApiError);
    expect((err as SlackApiError).message).toBe(`Slack conversations.history failed: ${expected}`);
    expect((err as SlackApiError).method).toBe('conversations.history');
  });
});

describe('SlackClient.postMessage and authTest', () => {
  it('posts JSON with blocks and returns channel, ts and message', async () => {
    const f = fakeSlack({ 'chat.postMessage': [ok('chat-postMessage')] });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*3 passed*' } }];
    const res = await client(f).postMessage({
      channel: '#alerts-critical',
      text: 'firedrill summary',
      blocks,
    });
    expect(res).toMatchObject({ channel: 'C07ALRTCRT1', ts: '1503435956.000247' });
    expect(res.message.bot_id).toBe('B123ABC456');
    const [req] = f.calls('chat.postMessage');
    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req!.body).toEqual({ channel: '#alerts-critical', text: 'firedrill summary', blocks });
  });

  it('auth.test returns the identity', async () => {
    const f = fakeSlack({ 'auth.test': [ok('auth-test')] });
    expect(await client(f).authTest()).toMatchObject({ team_id: 'T12345678', bot_id: 'B123ABC456' });
  });
});

describe('SlackClient.waitForMessage', () => {
  const oldest = 1732650000000;
  const soon = () => Date.now() + 5000;

  it('finds the alert inside attachments across pages and polls', async () => {
    const f = fakeSlack({
      'conversations.list': lists(),
      'conversations.history': [
        ok('conversations-history-page1'),
        ok('conversations-history-page2'),
        ok('conversations-history-resolved'),
      ],
    });
    const res = await client(f).waitForMessage({
      channel: '#alerts-critical',
      match: { alertName: 'HighApiErrorRate', resolved: true },
      oldest,
      deadline: soon(),
      pollIntervalMs: 10,
    });
    expect(res.message.ts).toBe('1732650120.000300');
    expect(res.postedAt).toBe(1732650120000);
    expect(res.channelId).toBe('C07ALRTCRT1');
    expect(res.polls).toBe(2);
    expect(res.seenAt).toBeGreaterThanOrEqual(res.postedAt);
    expect(res).toMatchObject({ rateLimited: false, rateLimitedMs: 0 });
    // The second poll starts from the newest message seen, not from `oldest` again.
    const third = f.calls('conversations.history')[2]!;
    expect(third.url.searchParams.get('oldest')).toBe('1732650060.000000');
  });

  it('returns the earliest match of one poll, and matches a predicate', async () => {
    const f = fakeSlack({
      'conversations.history': [ok('conversations-history-page1'), ok('conversations-history-page2')],
    });
    const res = await client(f).waitForMessage({
      channel: 'C07ALRTCRT1',
      match: (m) => m.subtype === 'bot_message',
      oldest,
      deadline: soon(),
    });
    expect(res.message.ts).toBe('1732650012.000100');
    expect(res.polls).toBe(1);
  });

  it('records time spent on 429 Retry-After', async () => {
    const f = fakeSlack({ 'conversations.history': [tooMany('1'), ok('conversations-history-resolved')] });
    const res = await client(f).waitForMessage({
      channel: 'C07ALRTCRT1',
      match: { text: /\[RESOLVED\] HighApi/ },
      oldest,
      deadline: soon(),
    });
    expect(res.rateLimited).toBe(true);
    expect(res.rateLimitedMs).toBeGreaterThanOrEqual(950);
    expect(res.rateLimitedMs).toBeLessThan(2000);
  });

  it('times out saying what it saw and what came closest', async () => {
    const f = fakeSlack({
      'conversations.list': lists(),
      'conversations.history': [ok('conversations-history-page1'), ok('conversations-history-page2')],
    });
    const err = await client(f)
      .waitForMessage({
        channel: '#alerts-critical',
        match: { alertName: 'HighApiErrorRate', resolved: false, drillId: 'drill-other' },
        oldest,
        deadline: Date.now() + 300,
        pollIntervalMs: 50,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackWaitTimeoutError);
    const { details, message } = err as SlackWaitTimeoutError;
    expect(details).toMatchObject({ channelId: 'C07ALRTCRT1', messagesSeen: 4, rateLimited: false });
    expect(details.polls).toBeGreaterThanOrEqual(2);
    expect(details.closest).toEqual({
      ts: '1732650012.000100',
      text: '[FIRING:1] HighApiErrorRate (api critical drill-7f3a)',
      failed: ['drillId'],
    });
    expect(message).toMatch(
      /^No Slack message matching alertName="HighApiErrorRate", resolved=false, drillId="drill-other" in #alerts-critical \(C07ALRTCRT1\) within 0\.\d s: saw 4 message\(s\) in \d+ poll\(s\); closest: "\[FIRING:1\] HighApiErrorRate \(api critical drill-7f3a\)" \(failed: drillId\)$/,
    );
  });

  it('keeps looking for a channel that does not exist yet', async () => {
    const f = fakeSlack({
      'conversations.list': [
        ok('conversations-list-page1'),
        { json: { ok: true, channels: [] } },
        ...lists(),
      ],
      'conversations.history': [ok('conversations-history-resolved')],
    });
    const res = await client(f).waitForMessage({
      channel: '#alerts-critical',
      match: { resolved: true },
      oldest,
      deadline: soon(),
      pollIntervalMs: 10,
    });
    expect(res.channelId).toBe('C07ALRTCRT1');
  });

  it('reports a channel that never appeared', async () => {
    const f = fakeSlack({ 'conversations.list': [{ json: { ok: true, channels: [] } }] });
    await expect(
      client(f).waitForMessage({
        channel: '#ghost',
        match: {},
        oldest,
        deadline: Date.now() + 100,
        pollIntervalMs: 20,
      }),
    ).rejects.toThrow(
      /^Slack channel #ghost was not found within 0\.\d s \(never listed by conversations\.list\)/,
    );
  });

  it('throws Slack configuration errors at once', async () => {
    const f = fakeSlack({ 'conversations.history': [ok('error-not-authed')] });
    const started = Date.now();
    await expect(
      client(f).waitForMessage({ channel: 'C07ALRTCRT1', match: {}, oldest, deadline: soon() }),
    ).rejects.toThrow('Slack conversations.history failed: not_authed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries transient failures until something matches', async () => {
    const f = fakeSlack({
      'conversations.history': [{ status: 503, text: 'upstream down' }, ok('conversations-history-resolved')],
    });
    const res = await client(f).waitForMessage({
      channel: 'C07ALRTCRT1',
      match: { resolved: true },
      oldest,
      deadline: soon(),
      pollIntervalMs: 10,
    });
    expect(res.polls).toBe(2);
  });

  it("rejects with the caller's abort, not a timeout", async () => {
    const f = fakeSlack({ 'conversations.history': [ok('conversations-history-empty')] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('drill cancelled')), 100);
    await expect(
      client(f).waitForMessage({
        channel: 'C07ALRTCRT1',
        match: {},
        oldest,
        deadline: soon(),
        signal: ac.signal,
      }),
    ).rejects.toThrow('drill cancelled');
  });
});
