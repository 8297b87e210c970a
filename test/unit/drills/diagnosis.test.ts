import { describe, expect, it } from 'vitest';
import type { AlertmanagerClient } from '../../../packages/firedrill/src/clients/alertmanager.ts';
import type { AmAlert, AmSilence } from '../../../packages/firedrill/src/clients/alertmanager-types.ts';
import type { ConditionResult, Result } from '../../../packages/firedrill/src/core/result.ts';
import {
  alertmanagerEvidence,
  diagnose,
  diagnosisFromFindings,
  markConsequences,
} from '../../../packages/firedrill/src/drills/diagnosis.ts';

// Alertmanager v2 `GET /alerts` items, in the shape 0.25 and 0.28 serve.
const amAlert = (
  alertname: string,
  status: Partial<AmAlert['status']> = {},
  fingerprint = 'fp1',
): AmAlert => ({
  labels: { alertname, severity: 'critical' },
  annotations: {},
  startsAt: '2026-12-03T12:00:00.000Z',
  endsAt: '2026-12-03T12:05:00.000Z',
  updatedAt: '2026-12-03T12:00:01.000Z',
  fingerprint,
  receivers: [{ name: 'slack-alerts-critical' }],
  status: { state: 'suppressed', silencedBy: [], inhibitedBy: [], ...status },
});

function fakeAm(alerts: AmAlert[], silences: AmSilence[] = []): AlertmanagerClient {
  return {
    alerts: async (q: { filter?: string[]; active?: boolean } = {}) =>
      q.filter ? alerts.filter((a) => q.filter!.includes(`alertname="${a.labels.alertname}"`)) : alerts,
    silences: async () => silences,
  } as unknown as AlertmanagerClient;
}

const cond = (
  type: string,
  hop: ConditionResult['hop'],
  status: ConditionResult['status'],
  extra = {},
): ConditionResult => ({
  condition: { type, within: 10_000, ...extra },
  hop,
  phase: 'observe',
  withinMs: 10_000,
  deadline: 0,
  status,
  message: `${type} ${status}`,
});

describe('diagnosis', () => {
  it('marks what an earlier failure explains, and names the first break', () => {
    const conditions = [
      cond('alertFires', 'fire', 'fail', { alert: 'A' }),
      cond('slackMessage', 'notify', 'fail', { alert: 'A' }),
      cond('logsArrive', 'log', 'pass'),
    ];
    markConsequences(conditions);
    expect(conditions.map((c) => c.consequenceOf)).toEqual([undefined, 'alertFires A', undefined]);
    const d = diagnose({ status: 'fail', conditions } as Result);
    expect(d).toEqual({ hop: 'fire', phase: 'observe', message: 'The alert did not fire: alertFires fail.' });
  });

  it('a preflight refusal leads with its earliest hop', () => {
    expect(
      diagnosisFromFindings([
        { hop: 'notify', severity: 'refuse', message: 'routed elsewhere' },
        { hop: 'fire', severity: 'refuse', message: 'for too long' },
      ]),
    ).toEqual({
      hop: 'fire',
      phase: 'preflight',
      message: 'Refused before injecting: for too long (and 1 more finding).',
    });
  });

  it('says what Alertmanager held: never received, silenced by whom, inhibited by what', async () => {
    expect(await alertmanagerEvidence(fakeAm([]), 'A')).toMatch(
      /^Prometheus fired A, but Alertmanager never received it/,
    );
    const silence: AmSilence = {
      id: 's-9',
      status: { state: 'active' },
      matchers: [],
      startsAt: '2026-12-03T11:00:00Z',
      endsAt: '2026-12-03T13:00:00Z',
      createdBy: 'bob',
      comment: 'deploy',
    };
    expect(await alertmanagerEvidence(fakeAm([amAlert('A', { silencedBy: ['s-9'] })], [silence]), 'A')).toBe(
      'Alertmanager received A but a silence swallowed it: s-9 by bob until 2026-12-03T13:00:00Z ("deploy")',
    );
    const inhibitor = { ...amAlert('AppDown', { state: 'active' }, 'fp-appdown') };
    expect(
      await alertmanagerEvidence(fakeAm([amAlert('A', { inhibitedBy: ['fp-appdown'] }), inhibitor]), 'A'),
    ).toBe('Alertmanager received A but inhibited it: AppDown active and matching an inhibit rule');
    expect(await alertmanagerEvidence(fakeAm([amAlert('A', { state: 'active' })]), 'A')).toBeUndefined();
  });
});
