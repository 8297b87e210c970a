import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSink, startSlackSink } from '../../../packages/firedrill/src/slack-sink/server.ts';
import { send, sendRaw } from '../property/http.ts';

// Counterexamples the property tests in test/unit/property/slack-sink.test.ts found, shrunk.
let sink: SlackSink;
beforeAll(async () => {
  sink = await startSlackSink({ bodyTimeoutMs: 200 });
});
afterAll(() => sink.close());

const big = JSON.stringify({ text: 'x'.repeat(1_100_000) });
const req = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  send(sink.url, { method, path, headers, ...(body === undefined ? {} : { body }) }, 3000);
const auth = { authorization: 'Bearer xoxb-1' };

describe('Slack sink: refusals in Slack shapes', () => {
  // Before: the lookup reached Object.prototype; __proto__ and hasOwnProperty answered 500,
  // toString 200 "[object Undefined]", constructor echoed the arguments.
  it.each(['__proto__', 'toString', 'hasOwnProperty', 'constructor'])(
    'Web API method %s → unknown_method',
    async (m) => {
      const a = await req('POST', `/api/${m}?x=1`, auth, '');
      expect(a).toMatchObject({ kind: 'response', status: 200 });
      expect(a.kind === 'response' && JSON.parse(a.body)).toEqual({
        ok: false,
        error: 'unknown_method',
        req_method: m,
      });
    },
  );

  // Before: 500 "nameOrId.replace is not a function".
  it.each(['GET', 'DELETE'])(
    '%s /_sink/messages with channel given twice → 400 invalid_channel',
    async (m) => {
      const a = await req(m, '/_sink/messages?channel=a&channel=b');
      expect(a).toMatchObject({ kind: 'response', status: 400, body: '{"error":"invalid_channel"}' });
    },
  );

  // Before: Fastify's own JSON ({"statusCode":415,"code":"FST_ERR_CTP_INVALID_MEDIA_TYPE",…}).
  it.each<[string, string, Record<string, string>, string | undefined, number, string]>([
    [
      'an unparsable content type',
      '/hooks/alerts',
      { 'content-type': '///' },
      '{"text":"x"}',
      415,
      'invalid_payload',
    ],
    [
      'a body over 1 MiB',
      '/hooks/alerts',
      { 'content-type': 'application/json' },
      big,
      413,
      'invalid_payload',
    ],
    ['an undecodable channel', '/hooks/%ZZ', {}, '{"text":"x"}', 404, 'no_service'],
    ['a channel over the length limit', `/hooks/${'a'.repeat(200)}`, {}, '{"text":"x"}', 404, 'no_service'],
  ])('webhook: %s → %i %s', async (_n, path, headers, body, status, text) => {
    const a = await req('POST', path, headers, body);
    expect(a).toMatchObject({
      kind: 'response',
      status,
      body: text,
      contentType: 'text/plain; charset=utf-8',
    });
  });

  it.each<[string, string, Record<string, string>, string | undefined, number, string]>([
    [
      'an unparsable content type',
      '/api/auth.test',
      { ...auth, 'content-type': '///' },
      '{}',
      415,
      'invalid_post_type',
    ],
    [
      'a body over 1 MiB',
      '/api/chat.postMessage',
      { ...auth, 'content-type': 'application/json' },
      big,
      413,
      'request_too_large',
    ],
    ['an undecodable method', '/api/%ZZ', auth, '{}', 400, 'invalid_request'],
  ])('Web API: %s → %i %s', async (_n, path, headers, body, status, error) => {
    const a = await req('POST', path, headers, body);
    expect(a).toMatchObject({ kind: 'response', status, contentType: 'application/json; charset=utf-8' });
    expect(a.kind === 'response' && JSON.parse(a.body)).toEqual({ ok: false, error });
  });

  // Before: no answer until Node's 300 s request timeout.
  it.each([
    ['/hooks/alerts', 'invalid_payload'],
    ['/api/chat.postMessage', '{"ok":false,"error":"request_timeout"}'],
  ])('a body shorter than its Content-Length on %s → 408 %s', async (path, body) => {
    const a = await sendRaw(
      sink.url,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"text":`,
      3000,
    );
    expect(a).toMatchObject({ kind: 'response', status: 408, body });
  });
});
