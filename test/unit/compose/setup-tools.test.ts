import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrafanaToken } from '../../../docker/setup/grafana-token.ts';
import { createAppLogsDataView } from '../../../docker/setup/kibana-data-view.ts';

// Kibana and Grafana cannot run here: these servers answer as their API documentation says
// (Kibana data views API; Grafana service accounts API), and record what the tools sent.
interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function fake(
  handler: (req: Seen, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const s = {
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('docker/setup/kibana-data-view.ts', () => {
  it('creates app-logs-* with time field `time`, replacing any old one, and makes it the default', async () => {
    const kibana = await fake((req, res) =>
      req.headers['kbn-xsrf']
        ? json(res, 200, { data_view: { id: 'app-logs' } })
        : json(res, 400, { message: 'missing kbn-xsrf' }),
    );
    await createAppLogsDataView(kibana.url);
    expect(kibana.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /api/data_views/data_view',
      'POST /api/data_views/default',
    ]);
    expect(kibana.seen[0]!.body).toEqual({
      override: true,
      data_view: {
        id: 'app-logs',
        name: 'App logs',
        title: 'app-logs-*',
        timeFieldName: 'time',
        allowNoIndex: true,
      },
    });
    expect(kibana.seen[1]!.body).toEqual({ data_view_id: 'app-logs', force: true });
  });

  it("names Kibana's answer when it refuses", async () => {
    const kibana = await fake((_req, res) => json(res, 503, { message: 'Kibana server is not ready yet' }));
    await expect(createAppLogsDataView(kibana.url)).rejects.toThrow(
      'Kibana: creating the data view answered 503: {"message":"Kibana server is not ready yet"}',
    );
  });
});

describe('docker/setup/grafana-token.ts', () => {
  const basic = `Basic ${Buffer.from('admin:pw').toString('base64')}`;

  it('creates the service account once, then a named token; returns only the key', async () => {
    const grafana = await fake((req, res) => {
      if (req.headers.authorization !== basic) return json(res, 401, { message: 'Unauthorized' });
      if (req.path.startsWith('/api/serviceaccounts/search'))
        return json(res, 200, { totalCount: 0, serviceAccounts: [] });
      if (req.path === '/api/serviceaccounts')
        return json(res, 201, { id: 7, name: 'firedrill', role: 'Editor' });
      if (req.path === '/api/serviceaccounts/7/tokens')
        return json(res, 200, { id: 1, name: 'x', key: 'glsa_test_key' });
      json(res, 404, {});
    });
    const key = await createGrafanaToken({
      grafanaUrl: grafana.url,
      user: 'admin',
      password: 'pw',
      now: () => 42,
    });
    expect(key).toBe('glsa_test_key');
    expect(grafana.seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ['GET', '/api/serviceaccounts/search?query=firedrill', undefined],
      ['POST', '/api/serviceaccounts', { name: 'firedrill', role: 'Editor', isDisabled: false }],
      ['POST', '/api/serviceaccounts/7/tokens', { name: 'firedrill-42' }],
    ]);
  });

  it('reuses an existing firedrill service account', async () => {
    const grafana = await fake((req, res) => {
      if (req.path.startsWith('/api/serviceaccounts/search'))
        return json(res, 200, {
          totalCount: 2,
          serviceAccounts: [
            { id: 3, name: 'firedrill-old' },
            { id: 9, name: 'firedrill' },
          ],
        });
      if (req.path === '/api/serviceaccounts/9/tokens')
        return json(res, 200, { id: 2, name: 'x', key: 'glsa_again' });
      json(res, 404, {});
    });
    expect(await createGrafanaToken({ grafanaUrl: grafana.url, user: 'admin', password: 'pw' })).toBe(
      'glsa_again',
    );
    expect(grafana.seen.map((s) => s.path)).not.toContain('/api/serviceaccounts');
  });

  it('says what Grafana answered when the password is wrong', async () => {
    const grafana = await fake((_req, res) => json(res, 401, { message: 'invalid username or password' }));
    await expect(
      createGrafanaToken({ grafanaUrl: grafana.url, user: 'admin', password: 'nope' }),
    ).rejects.toThrow(
      'Grafana: service account search answered 401: {"message":"invalid username or password"}',
    );
  });
});
