import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSink, startSlackSink } from '../../../packages/firedrill/src/slack-sink/server.ts';
import { WEB_API_METHODS } from '../../../packages/firedrill/src/slack-sink/web-api.ts';
import { bounded, mutationsOf } from './arbitraries.ts';
import { type Answer, bodyArb, contentType, headerValue, method, send, sendRaw } from './http.ts';

const BODY_TIMEOUT_MS = 200;
const DEADLINE_MS = 3000;
// Slack's plain-text answers to an incoming webhook.
const WEBHOOK_TEXTS = [
  'ok',
  'no_service',
  'invalid_payload',
  'no_text',
  'too_many_attachments',
  'rate_limited',
];

const webhookBody = {
  text: 'HighApiErrorRate firing',
  channel: '#alerts-critical',
  username: 'Alertmanager',
  attachments: [{ title: '[FIRING:1] HighApiErrorRate', color: 'danger', text: 'x' }],
};
const postMessageBody = { channel: '#alerts-critical', text: 'hi', blocks: [{ type: 'section' }] };

let sink: SlackSink;
beforeAll(async () => {
  sink = await startSlackSink({
    channels: ['alerts-critical'],
    autoCreateChannels: true,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
  });
});
afterAll(() => sink.close());

/** The answer has the shape of the part of the sink the path is for. */
function expectSlackShaped(path: string, a: Answer, method = 'POST'): void {
  expect(a.kind, JSON.stringify(a).slice(0, 200)).toBe('response');
  if (a.kind !== 'response') return;
  const what = `${a.status} ${a.contentType} ${a.body.slice(0, 200)}`;
  expect(a.status, what).toBeGreaterThanOrEqual(200);
  expect(a.status, what).toBeLessThan(500);
  // A HEAD answer has the headers of a GET and no body.
  if (method === 'HEAD') return void expect(a.body).toBe('');
  if (path.startsWith('/hooks')) {
    expect(a.contentType, what).toMatch(/^text\/plain/);
    expect(WEBHOOK_TEXTS, what).toContain(a.body);
    expect(a.body === 'ok', what).toBe(a.status === 200);
  } else {
    expect(a.contentType, what).toMatch(/^application\/json/);
    const body = JSON.parse(a.body) as { ok?: unknown; error?: unknown };
    if (path.startsWith('/api')) {
      expect(typeof body.ok, what).toBe('boolean');
      if (body.ok === false) expect(body.error, what).toMatch(/^[a-z_]+$/);
    } else if (a.status >= 400) expect(body.error, what).toMatch(/^[a-z_]+$/);
  }
}

const segment = fc.oneof(
  fc.constantFrom(
    'alerts-critical',
    'alerts-warning',
    '#alerts',
    '__proto__',
    'constructor',
    '%ZZ',
    '%E0%A4%A',
    '',
  ),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constant('a'.repeat(200)),
);
const apiMethod = fc.oneof(
  fc.constantFrom(...Object.keys(WEB_API_METHODS)),
  fc.constantFrom('__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'),
  segment,
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.constantFrom('token', 'channel', 'limit', 'cursor', 'oldest', 'since', 'x'),
      fc.string({ maxLength: 12 }),
      { maxKeys: 3 },
    )
    .map((d) => `?${new URLSearchParams(d)}`),
  fc.constantFrom('?channel=a&channel=b', '?token=%ZZ', '?limit=-1&cursor=%%', '?since=abc'),
);
const path = fc.oneof(
  { weight: 3, arbitrary: segment.map((s) => `/hooks/${s}`) },
  { weight: 3, arbitrary: fc.tuple(apiMethod, query).map(([m, q]) => `/api/${m}${q}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('/_sink/messages', '/_sink/channels', '/_sink/health'), query)
      .map(([p, q]) => p + q),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.webPath(), fc.constantFrom('/', '/hooks', '/api', '/api/', '//', '/%ZZ')),
  },
);

describe('Slack sink on bad input', () => {
  it('arbitrary methods, paths, headers and bodies: a Slack-shaped answer, never a 5xx', async () => {
    const request = fc.record({
      method,
      path,
      type: contentType,
      auth: fc.oneof(fc.constant(undefined), fc.constant('Bearer xoxb-1'), headerValue),
      extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), headerValue, { maxKeys: 2 }),
      body: fc.oneof(
        bodyArb([webhookBody, postMessageBody]),
        mutationsOf(webhookBody).map((v) => JSON.stringify(v) ?? ''),
        mutationsOf(postMessageBody).map((v) => JSON.stringify(v) ?? ''),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { ...r.extra };
        if (r.type !== undefined) headers['content-type'] = r.type;
        if (r.auth !== undefined) headers.authorization = r.auth;
        const withBody = !['GET', 'HEAD'].includes(r.method);
        const a = await send(
          sink.url,
          { method: r.method, path: r.path, headers, ...(withBody ? { body: r.body } : {}) },
          DEADLINE_MS,
        );
        expectSlackShaped(r.path, a, r.method);
      }),
      bounded(300, 10_000),
    );
    await expectStillServing();
  });

  it('a body shorter than its Content-Length: 408 request_timeout in the shape of its path', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/hooks/alerts-critical', '/api/chat.postMessage'),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        async (target, sent, missing, hangUp) => {
          const length = Buffer.byteLength(sent) + missing;
          const head = `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
          const a = await sendRaw(sink.url, head + sent, DEADLINE_MS, hangUp);
          if (hangUp) return void expect(a.kind).not.toBe('timeout');
          expectSlackShaped(target, a);
          expect(a).toMatchObject({ kind: 'response', status: 408 });
        },
      ),
      bounded(10, 5000),
    );
    await expectStillServing();
  });

  it('garbage instead of HTTP: a 4xx or a closed connection, and it keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 100 }), async (bytes) => {
        const a = await sendRaw(sink.url, `${bytes}\r\n\r\n`, DEADLINE_MS, true);
        if (a.kind === 'response') expect(a.status).toBeLessThan(500);
        else expect(a.kind).toBe('dropped');
      }),
      bounded(50, 4000),
    );
    await expectStillServing();
  });
});

async function expectStillServing(): Promise<void> {
  const hook = await send(
    sink.url,
    {
      method: 'POST',
      path: '/hooks/alerts-critical',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookBody),
    },
    DEADLINE_MS,
  );
  expect(hook).toMatchObject({ kind: 'response', status: 200, body: 'ok' });
  const api = await send(
    sink.url,
    {
      method: 'POST',
      path: '/api/chat.postMessage',
      headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-1' },
      body: JSON.stringify(postMessageBody),
    },
    DEADLINE_MS,
  );
  expect(api).toMatchObject({ kind: 'response', status: 200 });
  expect(api.kind === 'response' && (JSON.parse(api.body) as { ok: boolean }).ok).toBe(true);
}
