import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ElasticsearchClient,
  keywordTerms,
  totalHits,
} from '../../../packages/firedrill/src/clients/elasticsearch.ts';

// The real OpenSearch runs in the integration suite; here a loopback server records what the
// client sends and answers in the two hit-count spellings (ES 7+ object, older / int mode number).
let server: Server;
let base = '';
const seen: { method: string; url: string; body: string }[] = [];
let total: unknown = { value: 2, relation: 'eq' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/')
        return res.end(JSON.stringify({ version: { number: '2.19.6', distribution: 'opensearch' } }));
      if (req.url!.includes('/_search')) {
        return res.end(
          JSON.stringify({
            took: 1,
            timed_out: false,
            hits: { total, hits: [{ _index: 'app-logs-2026.11.26', _id: 'x', _source: { msg: 'a' } }] },
          }),
        );
      }
      if (req.url!.includes('/_count')) return res.end('{"count":7}');
      if (req.url!.startsWith('/_cat/indices'))
        return res.end('[{"index":"app-logs-2026.11.26","docs.count":"12"}]');
      res.end('{"acknowledged":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('ElasticsearchClient', () => {
  it('searches a wildcard pattern leniently, with a JSON body', async () => {
    const es = new ElasticsearchClient({ baseUrl: base });
    const res = await es.search('app-logs-*', { query: keywordTerms('request_id', ['r-1']) });
    expect(totalHits(res)).toBe(2);
    const call = seen.at(-1)!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('/app-logs-*/_search?ignore_unavailable=true&allow_no_indices=true');
    expect(JSON.parse(call.body)).toEqual({
      query: {
        bool: {
          should: [{ terms: { request_id: ['r-1'] } }, { terms: { 'request_id.keyword': ['r-1'] } }],
          minimum_should_match: 1,
        },
      },
    });
  });

  it('reads hits.total as a bare number too', async () => {
    total = 5;
    const res = await new ElasticsearchClient({ baseUrl: base }).search('x', {});
    expect(totalHits(res)).toBe(5);
    total = { value: 2, relation: 'eq' };
  });

  it('counts, refreshes, lists indices and tells OpenSearch from Elasticsearch', async () => {
    const es = new ElasticsearchClient({ baseUrl: base });
    expect(await es.count('app-logs-*')).toBe(7);
    await es.refresh('app-logs-*');
    expect(seen.at(-1)?.url).toBe('/app-logs-*/_refresh?ignore_unavailable=true&allow_no_indices=true');
    expect((await es.indices('app-logs-*'))[0]?.index).toBe('app-logs-2026.11.26');
    expect(await es.flavor()).toEqual({ distribution: 'opensearch', version: '2.19.6' });
  });

  it('says when the store is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const es = new ElasticsearchClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 });
    await expect(es.count('x')).rejects.toThrow(
      `127.0.0.1:${port}/x/_count?ignore_unavailable=true&allow_no_indices=true: unreachable: ECONNREFUSED`,
    );
  });
});
