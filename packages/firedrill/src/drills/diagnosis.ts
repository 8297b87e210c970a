import type { AlertmanagerClient } from '../clients/alertmanager.ts';
import type { ConditionResult, Diagnosis, Hop, Lane, Result } from '../core/result.ts';
import { HOPS } from '../core/result.ts';
import type { Finding } from './pipeline-findings.ts';

const BROKE: Record<Lane, string> = {
  preflight: 'Preflight did not pass',
  inject: 'The fault did not take effect',
  fire: 'The alert did not fire',
  notify: 'The notification did not arrive',
  log: 'The logs did not arrive as agreed',
  rollback: 'The rollback did not complete',
  resolve: 'The drill did not resolve',
  other: 'A condition did not hold',
};

const failed = (c: ConditionResult) => c.status === 'fail' || c.status === 'error';
const alertOf = (c: ConditionResult) =>
  typeof c.condition.alert === 'string' ? c.condition.alert : undefined;

/**
 * Marks the failures an earlier one explains: with the steady state never left, nothing
 * downstream could happen; with an alert that never fired, no message about it could arrive.
 * Only the first break in the chain is a finding; the rest say whose consequence they are.
 */
export function markConsequences(conditions: ConditionResult[]): void {
  const ignored = conditions.find((c) => c.condition.type === 'steadyStateLeft' && failed(c));
  const unfired = new Map(
    conditions
      .filter((c) => c.condition.type === 'alertFires' && failed(c))
      .map((c) => [alertOf(c), c] as const),
  );
  for (const c of conditions) {
    if (!failed(c) || c === ignored || c.phase !== 'observe') continue;
    if (ignored && (c.hop === 'fire' || c.hop === 'notify' || c.hop === 'log')) {
      c.consequenceOf = 'steadyStateLeft';
    } else if (c.hop === 'notify' && alertOf(c) && unfired.has(alertOf(c))) {
      c.consequenceOf = `alertFires ${alertOf(c)}`;
    }
  }
}

/** From a preflight refusal: the first refusing finding, in hop order. */
export function diagnosisFromFindings(findings: readonly Finding[]): Diagnosis | undefined {
  const first = [...findings].sort((a, b) => HOPS.indexOf(a.hop) - HOPS.indexOf(b.hop))[0];
  if (!first) return undefined;
  const more =
    findings.length > 1 ? ` (and ${findings.length - 1} more finding${findings.length > 2 ? 's' : ''})` : '';
  return {
    hop: first.hop,
    phase: 'preflight',
    message: `Refused before injecting: ${first.message}${more}${/[.?!]$/.test(first.message + more) ? '' : '.'}`,
  };
}

/**
 * The one sentence every report leads with: the earliest hop whose own condition failed (not a
 * consequence), with the evidence Alertmanager kept when a notification was the break.
 */
export function diagnose(result: Result, evidence?: string): Diagnosis | undefined {
  if (result.status === 'pass') return undefined;
  if (result.rollback && result.rollback.status !== 'pass') {
    return {
      hop: 'rollback',
      phase: 'observe',
      message: `${BROKE.rollback}: ${result.rollback.error?.message ?? 'unknown error'}.`,
    };
  }
  const order = (c: ConditionResult) => {
    const i = HOPS.indexOf(c.hop as Hop);
    return (c.phase === 'resolve' ? 100 : 0) + (i < 0 ? 50 : i);
  };
  const first = (result.conditions ?? [])
    .filter((c) => failed(c) && !c.consequenceOf)
    .sort((a, b) => order(a) - order(b))[0];
  if (!first) return undefined;
  let message = `${BROKE[first.hop]}: ${first.message ?? first.status}`;
  const failedSends = result.metrics?.alertmanager_slack_notifications_failed ?? 0;
  if (first.hop === 'notify' && evidence) message += `; ${evidence}`;
  else if (first.hop === 'notify' && failedSends > 0 && first.condition.type !== 'notificationsSent') {
    message += `; Alertmanager counted ${failedSends} failed send${failedSends > 1 ? 's' : ''} to Slack during the drill (alertmanager_notifications_failed_total{integration="slack"})`;
  }
  return { hop: first.hop, phase: first.phase, message: /[.?!]$/.test(message) ? message : `${message}.` };
}

/**
 * Why a fired alert's notification did not arrive, from Alertmanager's own view of it, read
 * before the rollback (a resolved alert soon leaves its API): never received, silenced (by which
 * silence, whose, until when) or inhibited (by which alerts). Undefined when it holds the alert
 * as active: the break is then past Alertmanager (the receiver, the channel).
 */
export async function alertmanagerEvidence(
  am: AlertmanagerClient,
  alert: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const held = await am.alerts({ filter: [`alertname="${alert}"`] }, signal);
  if (held.length === 0)
    return `Prometheus fired ${alert}, but Alertmanager never received it: check Prometheus' alerting.alertmanagers and that both reach each other`;
  const silenced = held.flatMap((a) => a.status.silencedBy);
  if (silenced.length) {
    const all = await am.silences(signal).catch(() => []);
    const named = [...new Set(silenced)].map((id) => {
      const s = all.find((x) => x.id === id);
      return s
        ? `${id} by ${s.createdBy || 'unknown'} until ${s.endsAt}${s.comment ? ` ("${s.comment}")` : ''}`
        : id;
    });
    return `Alertmanager received ${alert} but a silence swallowed it: ${named.join(', ')}`;
  }
  const inhibitors = [...new Set(held.flatMap((a) => a.status.inhibitedBy))];
  if (inhibitors.length) {
    const active = await am.alerts({ active: true }, signal).catch(() => []);
    const names = inhibitors.map((fp) => active.find((a) => a.fingerprint === fp)?.labels.alertname ?? fp);
    return `Alertmanager received ${alert} but inhibited it: ${names.join(', ')} active and matching an inhibit rule`;
  }
  return undefined;
}
