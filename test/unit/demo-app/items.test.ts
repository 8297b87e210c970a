import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './helpers.ts';

interface Item {
  id: number;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

let app: TestApp;
let demoToken: string;
let adminToken: string;

beforeAll(async () => {
  app = await startApp();
  demoToken = await app.login('demo', 'demo-password');
  adminToken = await app.login('admin', 'admin-password');
});
afterAll(async () => {
  await app.close();
});

const create = async (token: string, json: unknown) => {
  const response = await app.request('/api/items', { method: 'POST', token, json });
  return { response, item: (await response.json()) as Item };
};

describe('items CRUD', () => {
  it('creates, reads, lists, updates and deletes an item', async () => {
    const { response, item } = await create(demoToken, {
      title: '  Check dashboards  ',
      body: 'before release',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/items/${item.id}`);
    expect(item).toEqual({
      id: expect.any(Number),
      title: 'Check dashboards',
      body: 'before release',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: item.createdAt,
    });

    const read = await app.request(`/api/items/${item.id}`, { token: demoToken });
    expect(await read.json()).toEqual(item);

    const list = (await (await app.request('/api/items', { token: demoToken })).json()) as { items: Item[] };
    expect(list.items.map((i) => i.id)).toContain(item.id);

    const put = await app.request(`/api/items/${item.id}`, {
      method: 'PUT',
      token: demoToken,
      json: { title: 'Renamed' },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id: item.id, title: 'Renamed', body: '' });

    const del = await app.request(`/api/items/${item.id}`, { method: 'DELETE', token: demoToken });
    expect(del.status).toBe(204);
    expect((await app.request(`/api/items/${item.id}`, { token: demoToken })).status).toBe(404);
  });

  it('lists newest first', async () => {
    const { item: first } = await create(demoToken, { title: 'first' });
    const { item: second } = await create(demoToken, { title: 'second' });
    const { items } = (await (await app.request('/api/items', { token: demoToken })).json()) as {
      items: Item[];
    };
    expect(items.findIndex((i) => i.id === second.id)).toBeLessThan(
      items.findIndex((i) => i.id === first.id),
    );
  });

  it("keeps items per user: another user's item is a 404 for reads, updates and deletes", async () => {
    const { item } = await create(demoToken, { title: 'private' });
    const { items } = (await (await app.request('/api/items', { token: adminToken })).json()) as {
      items: Item[];
    };
    expect(items.some((i) => i.id === item.id)).toBe(false);
    for (const [method, json] of [
      ['GET', undefined],
      ['PUT', { title: 'hijack' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await app.request(`/api/items/${item.id}`, { method, token: adminToken, json });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found', message: 'item not found' });
    }
    expect(
      ((await (await app.request(`/api/items/${item.id}`, { token: demoToken })).json()) as Item).title,
    ).toBe('private');
  });

  it.each([
    ['GET', '/api/items'],
    ['POST', '/api/items'],
    ['GET', '/api/items/1'],
    ['PUT', '/api/items/1'],
    ['DELETE', '/api/items/1'],
  ])('%s %s needs a session', async (method, path) => {
    const response = await app.request(path, {
      method,
      json: method === 'POST' || method === 'PUT' ? { title: 'x' } : undefined,
    });
    expect(response.status).toBe(401);
  });
});

describe('items validation', () => {
  it.each([
    [{}, 'title: is required'],
    [{ title: '' }, 'title: must be 1 to 200 characters'],
    [{ title: '   ' }, 'title: must be 1 to 200 characters'],
    [{ title: 't'.repeat(201) }, 'title: must be 1 to 200 characters'],
    [{ title: 7 }, 'title: must be a string'],
    [{ title: 'ok', body: 'b'.repeat(5001) }, 'body: must be at most 5000 characters'],
    [{ title: 'ok', body: 5 }, 'body: must be a string'],
    [{ title: '', body: 5 }, 'title: must be 1 to 200 characters; body: must be a string'],
    ['just a string', 'request body must be a JSON object'],
  ])('POST %j → 400 "%s"', async (json, message) => {
    const response = await app.request('/api/items', { method: 'POST', token: demoToken, json });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'validation_error',
      message,
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('accepts the limits exactly', async () => {
    const { response } = await create(demoToken, { title: 't'.repeat(200), body: 'b'.repeat(5000) });
    expect(response.status).toBe(201);
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999999999999'])(
    'rejects id %s with 400 naming the field',
    async (id) => {
      const response = await app.request(`/api/items/${id}`, { token: demoToken });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: 'validation_error',
        message: 'id: must be a positive integer',
      });
    },
  );

  it('answers 404 not_found for an id that does not exist', async () => {
    const response = await app.request('/api/items/987654', { method: 'DELETE', token: demoToken });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found', message: 'item not found' });
  });
});
