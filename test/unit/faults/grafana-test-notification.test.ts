import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFault, grafanaTestNotification } from '../../../packages/firedrill/src/faults/index.ts';
import type { FaultContext } from '../../../packages/firedrill/src/faults/types.ts';

// Grafana cannot run here: answers are the receivers-test result shape from Grafana's API
// definitions (test/fixtures/grafana/README.md).
const failed = readFileSync(
  path.resolve(import.meta.dirname, '../../fixtures/grafana/receivers-test-207.json'),
  'utf8',
);

function ctx(status: number, body: string, sent: unknown[]): FaultContext {
  return {
    target: { baseUrl: 'http://app', grafana: { url: 'http://grafana.local', headers: {}, token: 'glsa' } },
    drillId: 'grafana-routing',
    runId: 'grafana-routing-77aa00',
    signal: new AbortController().signal,
    logger: pino({ enabled: false }),
    recordRequestId: () => {},
    fetch: (async (_url: unknown, init?: RequestInit) => {
      sent.push(JSON.parse(String(init?.body)));
      return new Response(body, { status });
    }) as typeof fetch,
  };
}

const spec = grafanaTestNotification({
  receivers: [
    { name: 'slack-alerts-critical', uid: 'c1', type: 'slack', settings: { recipient: '#alerts-critical' } },
  ],
  labels: { severity: 'critical' },
});

describe('Grafana test notification fault', () => {
  it('sends the drill id in the test alert through the named contact points', async () => {
    const ok = JSON.parse(failed);
    ok.receivers = [ok.receivers[0]];
    const sent: unknown[] = [];
    const injected = await createFault(spec).inject(ctx(200, JSON.stringify(ok), sent));
    expect(sent[0]).toEqual({
      alert: {
        labels: {
          alertname: 'FiredrillRoutingTest',
          severity: 'critical',
          drill_id: 'grafana-routing-77aa00',
        },
        annotations: { summary: 'firedrill routing drill grafana-routing' },
      },
      receivers: [
        {
          name: 'slack-alerts-critical',
          grafana_managed_receiver_configs: [
            {
              uid: 'c1',
              name: 'slack-alerts-critical',
              type: 'slack',
              settings: { recipient: '#alerts-critical' },
            },
          ],
        },
      ],
    });
    expect(injected.detail).toMatchObject({ notifiedAt: '2026-11-26T19:41:00.000Z' });
  });

  it('fails naming the contact point Grafana could not notify (207)', async () => {
    await expect(createFault(spec).inject(ctx(207, failed, []))).rejects.toThrow(
      'Grafana could not notify slack-alerts-warning: the receiver timed out: context deadline exceeded',
    );
  });
});
