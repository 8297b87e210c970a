import { describe, expect, it } from 'vitest';
import { receivers } from '../../../packages/firedrill/src/clients/alertmanager.ts';
import type { AmSilence } from '../../../packages/firedrill/src/clients/alertmanager-types.ts';
import { nearestName } from '../../../packages/firedrill/src/core/nearest.ts';
import {
  absentMetricFindings,
  fireBudgetFindings,
  minimumFireMs,
  notifyBudgetFindings,
  routeFindings,
  silenceFindings,
  staleLogFinding,
} from '../../../packages/firedrill/src/drills/pipeline-findings.ts';

const route = {
  receiver: 'slack-critical',
  groupWaitMs: 10_000,
  groupIntervalMs: 60_000,
  repeatIntervalMs: 3_600_000,
  groupBy: [],
};

// The receivers section as Alertmanager's status API prints the loaded config (defaults filled in).
const CONFIG = `
route:
  receiver: slack-warning
receivers:
  - name: slack-critical
    slack_configs:
      - api_url: <secret>
        channel: '#alerts-critical'
        send_resolved: true
  - name: slack-warning
    slack_configs:
      - api_url: <secret>
        channel: '#alerts-warning'
        send_resolved: false
  - name: pager
    pagerduty_configs:
      - routing_key: <secret>
`;

describe('pipeline findings from the live config', () => {
  it('refuses a for that no deadline can meet, with the numbers', () => {
    const rule = { forMs: 600_000, groupIntervalMs: 15_000 };
    expect(minimumFireMs({ forMs: 20_000, groupIntervalMs: 15_000 })).toBe(30_000);
    const [f] = fireBudgetFindings('HighApiErrorRate', rule, 15_000, 30_000);
    expect(f).toEqual({
      hop: 'fire',
      severity: 'refuse',
      message:
        "HighApiErrorRate cannot fire within 30.0s: its rule needs at least 10m00s (for 10m00s); raise the drill's within or lower the rule's for",
    });
  });

  it('warns, without refusing, when only the worst case misses', () => {
    const [f] = fireBudgetFindings('A', { forMs: 0, groupIntervalMs: 15_000 }, 15_000, 20_000);
    expect(f?.severity).toBe('warn');
  });

  it('adds group_wait for the notification deadline', () => {
    const [f] = notifyBudgetFindings(
      'A',
      '#c',
      { forMs: 30_000, groupIntervalMs: 15_000 },
      15_000,
      35_000,
      route,
    );
    expect(f?.message).toBe(
      'a message about A in #c cannot arrive within 35.0s: the pipeline needs at least 40.0s (for 30.0s, + group_wait 10.0s of receiver slack-critical)',
    );
  });

  it('names the metric a typo meant, and only warns for a name with no neighbour', () => {
    const known = ['http_requests_total', 'up'];
    const f = absentMetricFindings(
      'A',
      ['http_request_total', 'image_failures_total', 'up'],
      known,
      nearestName,
    );
    expect(f.map((x) => [x.severity, x.message])).toEqual([
      [
        'refuse',
        "A's expression reads http_request_total, which Prometheus has no series of (did you mean http_requests_total?): the rule can never fire",
      ],
      [
        'warn',
        "A's expression reads image_failures_total, which Prometheus has no series of yet: the rule fires only once the app exposes it",
      ],
    ]);
  });

  it('refuses a route to another channel, and send_resolved off where a resolved message is due', () => {
    const rx = receivers(CONFIG);
    expect(rx.get('pager')?.integrations).toEqual(['pagerduty_configs']);
    const labels = { alertname: 'A', severity: 'critical' };
    const wrong = routeFindings('A', labels, [{ ...route, receiver: 'slack-warning' }], rx, {
      channel: '#alerts-critical',
      resolvedMessage: false,
    });
    expect(wrong[0]?.message).toBe(
      'Alertmanager routes A {severity="critical"} to slack-warning (posts to #alerts-warning), not to #alerts-critical: the message can never arrive there',
    );
    const unresolved = routeFindings('A', labels, [{ ...route, receiver: 'slack-warning' }], rx, {
      channel: '#alerts-warning',
      resolvedMessage: true,
    });
    expect(unresolved[0]).toMatchObject({ hop: 'resolve', severity: 'refuse' });
    expect(
      routeFindings('A', labels, [route], rx, { channel: '#alerts-critical', resolvedMessage: true }),
    ).toEqual([]);
  });

  it('names the silence that would swallow the alert', () => {
    const silence: AmSilence = {
      id: 's-1',
      status: { state: 'active' },
      matchers: [{ name: 'alertname', value: 'High.*', isRegex: true, isEqual: true }],
      startsAt: '2026-12-03T10:00:00Z',
      endsAt: '2026-12-03T14:00:00Z',
      createdBy: 'alice',
      comment: 'maintenance',
    };
    const [f] = silenceFindings('HighApiErrorRate', { alertname: 'HighApiErrorRate' }, [
      silence,
      { ...silence, id: 's-2', status: { state: 'expired' } },
    ]);
    expect(f?.message).toBe(
      'silence s-1 by alice until 2026-12-03T14:00:00Z ("maintenance") matches HighApiErrorRate: its notification would be swallowed; expire the silence or wait',
    );
  });

  it('says how old the newest log entry is', () => {
    expect(staleLogFinding('app-logs-*', 1_000, 421_000, 400_000).message).toBe(
      "no log entry has reached app-logs-* since preflight's requests 21.0s ago, and its newest entry is 7m00s old: is the log shipper running?",
    );
  });
});
