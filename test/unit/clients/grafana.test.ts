import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrafanaClient, grafanaState } from '../../../packages/firedrill/src/clients/grafana.ts';

// Grafana cannot run here: bodies in test/fixtures/grafana are shaped after Grafana's API
// definitions (see the README there). Requests are recorded to pin paths and auth.
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/grafana');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

function fakeGrafana(routes: Record<string, { status?: number; body: string }>) {
  const calls: { url: string; method: string; auth: string | null; body?: string }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    calls.push({
      url: url.pathname + url.search,
      method: init?.method ?? 'GET',
      auth: headers.get('authorization'),
      ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    });
    const route = routes[url.pathname];
    if (!route) return new Response('{"message":"not found"}', { status: 404 });
    return new Response(route.body, {
      status: route.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  const client = new GrafanaClient({
    baseUrl: 'http://grafana.local/grafana',
    token: 'glsa_test',
    fetch: fetchImpl,
  });
  return { client, calls };
}

describe('grafanaState', () => {
  it.each([
    ['Alerting', 'firing'],
    ['Alerting (Error)', 'firing'],
    ['Recovering', 'firing'],
    ['Pending', 'pending'],
    ['Normal', 'inactive'],
    ['Normal (MissingSeries)', 'inactive'],
    ['NoData', 'nodata'],
    ['Error', 'error'],
    ['firing', 'firing'],
    ['inactive', 'inactive'],
  ])('%s → %s', (word, state) => {
    expect(grafanaState(word)).toBe(state);
  });
});

describe('GrafanaClient', () => {
  it('reads Grafana-managed rule instances with firedrill state words, under a path prefix, with bearer auth', async () => {
    const { client, calls } = fakeGrafana({
      '/grafana/api/prometheus/grafana/api/v1/rules': { body: fixture('rules.json') },
    });
    const inst = await client.instances('HighApiErrorRate');
    expect(inst.map((i) => [i.state, i.rawState, i.labels.drill_id])).toEqual([
      ['firing', 'Alerting', 'api-error-rate-1a2b3c'],
      ['inactive', 'Normal (MissingSeries)', undefined],
    ]);
    expect(inst[0]).toMatchObject({ folder: 'Demo app', group: 'api', activeAt: '2026-11-26T19:40:01.123Z' });
    expect((await client.instances('AppDown')).map((i) => i.state)).toEqual(['nodata', 'error']);
    expect(await client.findRule('SlowApiResponses')).toMatchObject({
      state: 'pending',
      group: { interval: 10 },
    });
    expect(await client.findRule('Nope')).toBeUndefined();
    expect(calls[0]).toMatchObject({
      url: '/grafana/api/prometheus/grafana/api/v1/rules',
      auth: 'Bearer glsa_test',
    });
  });

  it("reads Grafana's Alertmanager with Alertmanager's v2 shape and filter", async () => {
    const { client, calls } = fakeGrafana({
      '/grafana/api/alertmanager/grafana/api/v2/alerts': { body: fixture('alerts.json') },
    });
    const alerts = await client.alerts(['alertname="HighApiErrorRate"']);
    expect(alerts[0]?.labels.grafana_folder).toBe('Demo app');
    expect(alerts[0]?.status.state).toBe('active');
    expect(decodeURIComponent(calls[0]!.url)).toBe(
      '/grafana/api/alertmanager/grafana/api/v2/alerts?filter=alertname="HighApiErrorRate"&active=true',
    );
  });

  it('returns a 207 receivers test result with the failed receiver named', async () => {
    const { client, calls } = fakeGrafana({
      '/grafana/api/alertmanager/grafana/config/api/v1/receivers/test': {
        status: 207,
        body: fixture('receivers-test-207.json'),
      },
    });
    const res = await client.testReceivers({
      alert: { labels: { drill_id: 'grafana-routing-77aa00' } },
      receivers: [
        {
          name: 'slack-alerts-critical',
          grafana_managed_receiver_configs: [
            { name: 'slack-alerts-critical', type: 'slack', settings: { recipient: '#alerts-critical' } },
          ],
        },
      ],
    });
    const failed = res.receivers.flatMap((r) =>
      r.grafana_managed_receiver_configs.filter((c) => c.status === 'failed'),
    );
    expect(failed).toEqual([
      {
        name: 'slack-alerts-warning',
        uid: 'w1',
        status: 'failed',
        error: 'the receiver timed out: context deadline exceeded',
      },
    ]);
    expect(calls[0]?.method).toBe('POST');
    expect(JSON.parse(calls[0]!.body!).receivers[0].name).toBe('slack-alerts-critical');
  });

  it('says which URL failed and with what status', async () => {
    const { client } = fakeGrafana({});
    await expect(client.ruleGroups()).rejects.toThrow(
      'http://grafana.local/grafana/api/prometheus/grafana/api/v1/rules: HTTP 404: {"message":"not found"}',
    );
  });
});
