import { AssertionError, defineProbe, exists, type HttpProbeContext, isType } from 'firedrill';

/** Signs in over the JSON API; returns a client that sends the session's bearer token. */
export async function logIn({ step, http, env }: Pick<HttpProbeContext, 'step' | 'http' | 'env'>) {
  const creds = env.credentials;
  if (!creds)
    throw new Error(`environment "${env.name}" has no credentials; set environments.${env.name}.credentials`);
  const token = await step('log in', async () => {
    const res = await http.post('/api/login', {
      json: creds,
      expect: {
        status: 200,
        json: { 'user.username': creds.username, token: isType('string') },
        maxDurationMs: 3000,
      },
    });
    return res.json<{ token: string }>().token;
  });
  return http.withHeaders({ authorization: `Bearer ${token}` });
}

interface Item {
  id: number | string;
  title: string;
}

export default defineProbe({
  id: 'api',
  name: 'Items API: log in, create, read, list, delete',
  kind: 'http',
  schedule: '*/2 * * * *',
  timeoutMs: 20_000,
  retries: 1,
  tags: ['api', 'smoke'],
  async run(ctx) {
    const { step, runId } = ctx;
    const api = await logIn(ctx);
    const title = `firedrill probe ${runId}`;
    const id = await step('create item', async () => {
      const res = await api.post('/api/items', {
        json: { title, body: 'written by the firedrill api probe; deleted at the end of the run' },
        expect: {
          status: 201,
          headers: { location: exists() },
          json: { id: exists(), title },
          maxDurationMs: 2000,
        },
      });
      return res.json<Item>().id;
    });
    // The item goes away even when a check in between fails: a probe must not fill the app with data.
    try {
      await step('read item', () =>
        api.get(`/api/items/${id}`, { expect: { status: 200, json: { id, title }, maxDurationMs: 2000 } }),
      );
      await step('list items', async () => {
        const res = await api.get('/api/items', {
          expect: { status: 200, json: { items: isType('array') }, maxDurationMs: 2000 },
        });
        const items = res.json<{ items: Item[] }>().items;
        if (!items.some((item) => item.id === id)) {
          throw new AssertionError(
            `GET ${res.url}: expected item ${id} in the list, got ${items.length} items without it`,
          );
        }
      });
    } finally {
      await step('delete item', () =>
        api.delete(`/api/items/${id}`, { expect: { status: 204, maxDurationMs: 2000 } }),
      );
    }
  },
});
