import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, redact } from '../../../demo-app/src/logging.ts';
import { type LogLine, startApp, type TestApp } from './helpers.ts';

const ISO_MS_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ environment: 'staging', service: 'shop-api' });
});
afterAll(async () => {
  await app.close();
});

describe('X-Request-ID', () => {
  it.each([
    ['echoes a sane id', 'probe-login-1234', 'probe-login-1234'],
    ['echoes ids with . : _ -', 'a.b:c_d-e', 'a.b:c_d-e'],
    ['replaces an id with spaces', 'has spaces', undefined],
    ['replaces an id with markup', '<script>', undefined],
    ['replaces an over-long id', 'x'.repeat(129), undefined],
    ['generates one when absent', undefined, undefined],
  ])('%s', async (_case, sent, expected) => {
    const response = await app.request('/healthz', { headers: sent ? { 'x-request-id': sent } : {} });
    const echoed = response.headers.get('x-request-id');
    if (expected) expect(echoed).toBe(expected);
    else expect(echoed).toMatch(UUID);
  });

  it('is in error bodies and in the access log of that request', async () => {
    const response = await app.request('/api/items', { headers: { 'x-request-id': 'trace-me-42' } });
    expect(((await response.json()) as { request_id: string }).request_id).toBe('trace-me-42');
    const line = await app.waitForLog((l) => l.request_id === 'trace-me-42' && l.event === 'http_request');
    expect(line).toMatchObject({ method: 'GET', route: '/api/items', status_code: 401, path: '/api/items' });
  });
});

describe('log lines', () => {
  it('write one access-log entry per request, with the route template and user_id once known', async () => {
    const token = await app.login();
    const created = await app.request('/api/items', { method: 'POST', token, json: { title: 'log me' } });
    const { id } = (await created.json()) as { id: number };
    const response = await app.request(`/api/items/${id}`, {
      token,
      headers: { 'x-request-id': 'item-read-1' },
    });
    expect(response.status).toBe(200);
    await app.waitForLog((l) => l.request_id === 'item-read-1' && l.event === 'http_request');
    const lines = app.logs().filter((l) => l.request_id === 'item-read-1' && l.event === 'http_request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/api/items/:id',
      path: `/api/items/${id}`,
      status_code: 200,
      duration_ms: expect.any(Number),
      user_id: expect.stringMatching(/^\d+$/),
    });
  });

  it('all parse as JSON and carry time, level, msg, service, environment, source', async () => {
    await app.request('/nope');
    await app.request('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    await app.request('/api/logs', {
      method: 'POST',
      json: { logs: [{ level: 'info', msg: 'hi', time: new Date().toISOString() }] },
    });
    await app.waitForLog((l) => l.route === '/api/logs');
    const raw = readFileSync(app.logFile, 'utf8').trimEnd().split('\n');
    expect(raw.length).toBeGreaterThan(10);
    for (const text of raw) {
      const line = JSON.parse(text) as LogLine;
      expect(line.time).toMatch(ISO_MS_UTC);
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(typeof line.msg).toBe('string');
      expect(line).toMatchObject({ service: 'shop-api', environment: 'staging' });
      expect(['backend', 'frontend']).toContain(line.source);
      expect(line).not.toHaveProperty('pid');
      expect(line).not.toHaveProperty('hostname');
      if (line.event === 'http_request') {
        expect(line).toMatchObject({
          request_id: expect.any(String),
          method: expect.any(String),
          route: expect.any(String),
          status_code: expect.any(Number),
          duration_ms: expect.any(Number),
        });
      }
      if (line.user_id !== undefined) expect(typeof line.user_id).toBe('string');
    }
  });

  it('log each error with err {type, message, stack}; unknown routes and bad JSON never crash', async () => {
    const cases: [string, RequestInit, number, string, string][] = [
      ['/definitely/not/here', {}, 404, 'not_found', 'no route for GET /definitely/not/here'],
      [
        '/api/login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"username": "demo", "password": "pw',
        },
        400,
        'invalid_json',
        'request body is not valid JSON',
      ],
      [
        '/api/login',
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        400,
        'invalid_json',
        'request body is empty',
      ],
      [
        '/api/items',
        { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' },
        415,
        'unsupported_media_type',
        'unsupported content type',
      ],
      ['/%E0%A4%A', {}, 400, 'bad_request', 'malformed URL'],
    ];
    for (const [i, [path, init, status, code, message]] of cases.entries()) {
      const requestId = `err-case-${i}`;
      const response = await app.request(path, {
        ...init,
        headers: { ...init.headers, 'x-request-id': requestId },
      });
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: code, message, request_id: requestId });
      const line = await app.waitForLog((l) => l.request_id === requestId && l.event === 'request_error');
      expect(line).toMatchObject({
        level: 'warn',
        error: code,
        err: { type: code, message, stack: expect.any(String) },
      });
      await app.waitForLog(
        (l) => l.request_id === requestId && l.event === 'http_request' && l.status_code === status,
      );
    }
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('redact passwords, tokens, cookies and authorization headers everywhere', async () => {
    const password = 'demo-password';
    const response = await app.request('/api/login', {
      method: 'POST',
      json: { username: 'demo', password },
    });
    const { token } = (await response.json()) as { token: string };
    await app.request('/api/me', { token, headers: { cookie: `session=${token}` } });
    await app.request('/api/logs', {
      method: 'POST',
      json: {
        logs: [
          {
            level: 'info',
            msg: 'form state',
            password: 'typed-secret',
            nested: { authorization: `Bearer ${token}`, api_key: 'k-123', note: `sent Bearer ${token}` },
          },
        ],
      },
    });
    const line = await app.waitForLog((l) => l.msg === 'form state');
    expect(line).toMatchObject({
      password: REDACTED,
      nested: { authorization: REDACTED, api_key: REDACTED, note: `sent Bearer ${REDACTED}` },
    });
    const text = readFileSync(app.logFile, 'utf8');
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
    expect(text).not.toContain('typed-secret');
    expect(text).not.toContain('k-123');
  });
});

describe('redact()', () => {
  it.each([
    [{ password: 'x' }, { password: REDACTED }],
    [{ user: { newPassword: 'x', name: 'n' } }, { user: { newPassword: REDACTED, name: 'n' } }],
    [
      { headers: { authorization: 'Basic abc', cookie: 'a=b', 'set-cookie': ['c'] } },
      { headers: { authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED } },
    ],
    [
      { list: [{ token: 't' }, { access_token: 'u' }] },
      { list: [{ token: REDACTED }, { access_token: REDACTED }] },
    ],
    [
      { session_id: 's-1', request_id: 'r-1' },
      { session_id: 's-1', request_id: 'r-1' },
    ],
    [{ msg: 'Authorization: Bearer abc.def' }, { msg: `Authorization: Bearer ${REDACTED}` }],
    [{ password: null }, { password: null }],
  ])('%j → %j', (input, expected) => {
    const copy = structuredClone(input);
    expect(redact(input)).toEqual(expected);
    expect(input).toEqual(copy);
  });

  it('keeps Error instances so pino can serialize them', () => {
    const err = new Error('boom');
    expect((redact({ err }) as { err: unknown }).err).toBe(err);
  });
});

describe('POST /api/logs (frontend log shipping)', () => {
  it('writes each entry with source "frontend", the browser time, session_id and page', async () => {
    const token = await app.login();
    const browserTime = '2026-01-02T03:04:05.678Z';
    const response = await app.request('/api/logs', {
      method: 'POST',
      token,
      json: {
        logs: [
          {
            level: 'info',
            msg: 'page view items',
            time: browserTime,
            session_id: 'tab-1',
            page: '/items',
            event: 'page_view',
          },
          {
            level: 'error',
            msg: 'uncaught error: boom',
            time: browserTime,
            session_id: 'tab-1',
            page: '/items',
            err: { type: 'TypeError', message: 'boom', stack: 'TypeError: boom' },
          },
          {
            level: 'shout',
            msg: 'odd level',
            source: 'backend',
            service: 'spoofed',
            session_id: 'tab-1',
            page: '/items',
          },
        ],
      },
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 3 });
    const view = await app.waitForLog((l) => l.msg === 'page view items');
    expect(view).toMatchObject({
      source: 'frontend',
      level: 'info',
      time: browserTime,
      session_id: 'tab-1',
      page: '/items',
      event: 'page_view',
      service: 'shop-api',
      environment: 'staging',
      user_id: expect.stringMatching(/^\d+$/),
    });
    expect(await app.waitForLog((l) => l.msg === 'uncaught error: boom')).toMatchObject({
      level: 'error',
      err: { type: 'TypeError', message: 'boom' },
    });
    const odd = await app.waitForLog((l) => l.msg === 'odd level');
    expect(odd).toMatchObject({ level: 'info', source: 'frontend', service: 'shop-api' });
    expect(odd.time).toMatch(ISO_MS_UTC);
  });

  it('stores entries that quote attack strings instead of rejecting the batch', async () => {
    const response = await app.request('/api/logs', {
      method: 'POST',
      json: {
        logs: [{ level: 'info', msg: 'login submitted', username: "admin' --", title: '<script>x</script>' }],
      },
    });
    expect(response.status).toBe(202);
    expect(await app.waitForLog((l) => l.username === "admin' --")).toMatchObject({
      title: '<script>x</script>',
    });
  });

  it('accepts sendBeacon’s text/plain and fills in session_id and page when missing', async () => {
    const response = await app.request('/api/logs', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ logs: [{ level: 'warn', msg: 'beacon entry' }] }),
    });
    expect(response.status).toBe(202);
    const line = await app.waitForLog((l) => l.msg === 'beacon entry');
    expect(line).toMatchObject({ source: 'frontend', level: 'warn', session_id: 'unknown', page: 'unknown' });
    expect(line).not.toHaveProperty('user_id');
  });

  it.each([
    [{ logs: 'nope' }, 400, 'validation_error', 'logs: must be an array of log entries'],
    [{}, 400, 'validation_error', 'logs: must be an array of log entries'],
    [{ logs: [1] }, 400, 'validation_error', 'logs.0: must be an object'],
    [
      { logs: Array.from({ length: 101 }, () => ({ msg: 'x' })) },
      400,
      'validation_error',
      'logs: at most 100 entries per batch',
    ],
    [{ logs: [{ msg: 'x'.repeat(70_000) }] }, 413, 'payload_too_large', 'request body is too large'],
  ])('rejects %#: %i %s', async (json, status, code, message) => {
    const response = await app.request('/api/logs', { method: 'POST', json });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: code, message });
  });
});
