import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../demo-app/src/auth.ts';
import { metricValue, scrape, startApp, type TestApp } from './helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('password hashing', () => {
  it('stores scrypt hashes with their parameters and verifies them', async () => {
    const hash = await hashPassword('s3cret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret!', hash)).toBe(false);
    expect(await verifyPassword('s3cret', 'md5$abc')).toBe(false);
  });
});

describe('POST /api/login', () => {
  it.each([
    ['demo', 'demo-password'],
    ['admin', 'admin-password'],
  ])(
    'signs in seeded user %s with a token and an HttpOnly SameSite=Lax session cookie',
    async (username, password) => {
      const response = await app.request('/api/login', { method: 'POST', json: { username, password } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { user: { id: number; username: string }; token: string };
      expect(body.user).toEqual({ id: expect.any(Number), username });
      expect(body.token).toMatch(/^[\w-]{43}$/);
      const cookie = response.headers.get('set-cookie') ?? '';
      expect(cookie).toContain(`session=${body.token}`);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).toMatch(/Path=\//);
    },
  );

  it.each([
    ['wrong password', { username: 'demo', password: 'nope' }],
    ['unknown user', { username: 'mallory', password: 'demo-password' }],
    ["another user's password", { username: 'demo', password: 'admin-password' }],
  ])('rejects %s with 401 invalid_credentials', async (_case, json) => {
    const response = await app.request('/api/login', { method: 'POST', json });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'invalid_credentials',
      message: 'invalid username or password',
      request_id: response.headers.get('x-request-id'),
    });
  });

  it.each([
    [{}, 'username: is required; password: is required'],
    [{ username: 'demo' }, 'password: is required'],
    [{ username: '', password: 'x' }, 'username: is required'],
    [{ username: 42, password: 'x' }, 'username: must be a string'],
    [{ username: 'demo', password: 'p'.repeat(201) }, 'password: must be at most 200 characters'],
    [[1, 2], 'request body must be a JSON object'],
  ])('rejects body %j with 400 validation_error', async (json, message) => {
    const response = await app.request('/api/login', { method: 'POST', json });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'validation_error', message });
  });

  it('moves login_attempts_total by result', async () => {
    const before = await scrape(app);
    await app.login();
    await app.request('/api/login', { method: 'POST', json: { username: 'demo', password: 'bad' } });
    await app.request('/api/login', { method: 'POST', json: { username: 'demo', password: 'bad' } });
    const after = await scrape(app);
    const delta = (result: string) =>
      (metricValue(after, 'login_attempts_total', { result }) ?? 0) -
      (metricValue(before, 'login_attempts_total', { result }) ?? 0);
    expect(delta('success')).toBe(1);
    expect(delta('failure')).toBe(2);
  });

  it('logs failures at warn with the reason, never the password', async () => {
    const response = await app.request('/api/login', {
      method: 'POST',
      json: { username: 'demo', password: 'not-the-password' },
    });
    const line = await app.waitForLog(
      (l) => l.event === 'login_failed' && l.request_id === response.headers.get('x-request-id'),
    );
    expect(line).toMatchObject({ level: 'warn', username: 'demo', reason: 'wrong_password' });
  });
});

describe('sessions', () => {
  it('accepts the cookie and the bearer token; /api/me answers the user', async () => {
    const login = await app.request('/api/login', {
      method: 'POST',
      json: { username: 'admin', password: 'admin-password' },
    });
    const { token } = (await login.json()) as { token: string };
    const byCookie = await app.request('/api/me', { headers: { cookie: `session=${token}` } });
    expect(byCookie.status).toBe(200);
    expect(await byCookie.json()).toEqual({ id: expect.any(Number), username: 'admin' });
    const byBearer = await app.request('/api/me', { token });
    expect(((await byBearer.json()) as { username: string }).username).toBe('admin');
  });

  it.each([
    ['no credentials', {}],
    ['an unknown token', { authorization: 'Bearer not-a-real-token' }],
    ['an unknown cookie', { cookie: 'session=forged' }],
  ])('answers 401 unauthorized for %s', async (_case, headers) => {
    const response = await app.request('/api/me', { headers });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'unauthorized',
      message: 'authentication required',
    });
  });

  it('ends the session on logout, in the DB, and clears the cookie', async () => {
    const token = await app.login();
    const logout = await app.request('/api/logout', { method: 'POST', token });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/session=;/);
    expect((await app.request('/api/me', { token })).status).toBe(401);
  });
});
