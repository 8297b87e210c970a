import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElasticsearchClient } from '../../../packages/firedrill/src/clients/elasticsearch.ts';
import { logsArriveVerifier } from '../../../packages/firedrill/src/conditions/logs-arrive.ts';
import { compare } from '../../../packages/firedrill/src/conditions/promql.ts';
import type { VerifierContext } from '../../../packages/firedrill/src/conditions/types.ts';
import { Timeline } from '../../../packages/firedrill/src/core/timeline.ts';
import { hopMetrics } from '../../../packages/firedrill/src/drills/hops.ts';

// The real OpenSearch path runs in the integration suite. Here a loopback server holds documents
// and answers the two queries the verifier makes (request-id terms, then a time range), so the
// schema and ingest-delay logic can be pinned exactly.
let docs: Record<string, unknown>[] = [];
let server: Server;
let base = '';

function matches(doc: Record<string, unknown>, query: Record<string, unknown>): boolean {
  const q = JSON.stringify(query);
  const ids = [...q.matchAll(/"request_id(?:\.keyword)?":\[([^\]]*)\]/g)].flatMap(
    (m) => JSON.parse(`[${m[1]}]`) as string[],
  );
  if (ids.length && !ids.includes(String(doc.request_id))) return false;
  const range = /"time":\{"gte":"([^"]+)"\}/.exec(q);
  if (range && String(doc.time) < range[1]!) return false;
  return true;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const q = JSON.parse(body || '{}') as { query: Record<string, unknown> };
      const hits = docs
        .filter((d) => matches(d, q.query))
        .map((d, i) => ({ _index: 'app-logs-2026.11.26', _id: String(i), _source: d }));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          took: 1,
          timed_out: false,
          hits: { total: { value: hits.length, relation: 'eq' }, hits },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const entry = (over: Record<string, unknown>) => ({
  time: new Date(Date.now() - 1500).toISOString(),
  level: 'info',
  msg: 'request completed',
  service: 'demo-app',
  environment: 'local',
  source: 'backend',
  request_id: 'd-1-traffic-0',
  event: 'http_request',
  method: 'GET',
  route: '/api/items',
  status_code: 500,
  duration_ms: 3.2,
  ...over,
});

function ctx(ids: string[]): VerifierContext {
  return {
    drillId: 'd',
    runId: 'd-1',
    injectedAt: Date.now() - 5000,
    timeline: new Timeline({ id: 'd', runId: 'd-1' }),
    logger: pino({ enabled: false }),
    elasticsearch: new ElasticsearchClient({ baseUrl: base }),
    slackPollMs: 50,
    slackChannels: [],
    requestIds: () => ids,
    root: '.',
  };
}

describe('logsArrive', () => {
  it('finds the drill’s own entries, validates them and measures ingest delay', async () => {
    docs = [entry({}), entry({ request_id: 'someone-else' })];
    const c = ctx(['d-1-traffic-0']);
    const r = await logsArriveVerifier(
      { type: 'logsArrive', schema: 'backend', match: { status_code: 500 }, within: 2000 },
      c,
    ).wait(Date.now() + 2000, new AbortController().signal);
    expect(r.status).toBe('pass');
    const actual = r.actual as { entries: number; ingestDelayMs: { median: number } };
    expect(actual.entries).toBe(1);
    expect(actual.ingestDelayMs.median).toBeGreaterThanOrEqual(1500);
    expect(r.marks?.logsSeen).toBeDefined();
  });

  it('names the field a shipper or app change dropped', async () => {
    docs = [0, 1, 2].map((i) => {
      const { service: _dropped, ...rest } = entry({ request_id: `d-1-traffic-${i}` });
      return rest;
    });
    const r = await logsArriveVerifier(
      { type: 'logsArrive', schema: 'backend', within: 1000 },
      ctx(['d-1-traffic-0', 'd-1-traffic-1', 'd-1-traffic-2']),
    ).wait(Date.now() + 1000, new AbortController().signal);
    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      '3 of 3 log entries fail schema backend: /service: required field missing (3 of 3)',
    );
  });

  it('when the request id itself is gone, says so from what did arrive in the window', async () => {
    docs = [entry({ request_id: undefined })].map((d) => JSON.parse(JSON.stringify(d)));
    const r = await logsArriveVerifier(
      { type: 'logsArrive', schema: 'backend', within: 600 },
      ctx(['d-1-traffic-0']),
    ).wait(Date.now() + 600, new AbortController().signal);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(
      /^0 of 1 log entries with the drill's 1 request ids reached app-logs-\* within 600ms; 1 other entries arrived in that window, 1 of them without request_id; schema backend: .*\/request_id: required field missing \(1 of 1\)/,
    );
  });
});

describe('hopMetrics', () => {
  it('computes hops from marks, and without a sampled clock only the worst case the live config allows', () => {
    const m = hopMetrics(
      {
        injected: 1000,
        firstBadSample: 1010,
        firing: 2500,
        webhookReceived: 2515,
        slackPosted: 2520,
        slackSeen: 2540,
        logsSeen: 3000,
        rolledBack: 5000,
        resolved: 6500,
        slackResolvedPosted: 6600,
      },
      {
        rules: new Map([['A', { forMs: 0, group: 'g', groupIntervalMs: 1000 }]]),
        promTiming: { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000, jobScrapeIntervalMs: {} },
        amTiming: {
          receiver: 'slack',
          groupWaitMs: 0,
          groupIntervalMs: 1000,
          repeatIntervalMs: 1,
          groupBy: [],
        },
        evalOffsetMs: 420,
      },
      'A',
      false,
    );
    expect(m).toEqual({
      hop_ms_first_bad_sample: 10,
      hop_ms_fire: 1500,
      hop_ms_alertmanager: 1515,
      hop_ms_notify: 1520,
      hop_ms_log: 2000,
      hop_ms_resolve: 1500,
      hop_ms_resolve_notify: 1600,
      own_ms_notify: 25,
      own_ms_slack_read: 20,
      // for: 0 and group_wait: 0: perfect timing costs nothing.
      pipeline_min_ms_fire: 0,
      pipeline_min_ms_notify: 0,
      pipeline_max_ms_fire: 2000,
      pipeline_max_ms_notify: 3000,
      pipeline_max_ms_resolve: 2000,
      pipeline_max_ms_resolve_notify: 3000,
      rule_eval_offset_ms: 420,
    });
  });
});

describe('PromQL comparison', () => {
  it.each([
    [1, '>', 0, true],
    [0, '>', 0, false],
    [0, '>=', 0, true],
    [1, '<', 2, true],
    [2, '<=', 1, false],
    [3, '==', 3, true],
    [3, '!=', 3, false],
  ] as const)('%d %s %d → %s', (a, op, b, want) => {
    expect(compare(a, op, b)).toBe(want);
  });
});
