import { z } from 'zod';
import { AlertmanagerClient } from '../clients/alertmanager.ts';
import { alertName, labelMap } from '../conditions/kind.ts';
import { backendTarget } from '../connections/backends.ts';
import { durationMs, parseDuration } from '../core/duration.ts';
import { defineFaultKind } from './kind.ts';
import type { Fault, FaultContext, InjectedFault, RollbackOutcome } from './types.ts';

const schema = z.strictObject({
  type: z.literal('inject-alert'),
  /** Labels of the alert; `alertname` is required, the drill id is added as `drill_id`. */
  labels: labelMap
    .refine((l) => typeof l.alertname === 'string', 'needs an alertname label')
    .refine(
      (l) => l.alertname === undefined || alertName.safeParse(l.alertname).success,
      'expected an alertname like HighApiErrorRate',
    ),
  annotations: z.record(z.string(), z.string()).optional(),
  /** `endsAt` = injection time + this, so Alertmanager resolves it by itself. */
  endsAfter: durationMs,
});

/** As a drill file writes it. */
export type InjectAlertSpec = z.input<typeof schema>;

export const injectAlertKind = defineFaultKind({
  type: 'inject-alert',
  builder: 'injectAlert',
  schema,
  create: (spec) => createInjectAlertFault(spec),
  routingAlert: (spec) => spec.labels.alertname!,
  lockTarget: (_spec, target) => target.alertmanager?.url ?? 'alertmanager',
});

/**
 * An alert posted straight into Alertmanager, as Prometheus would send it: for routing-only
 * drills that check where a notification lands without breaking anything. It carries the drill
 * id as `drill_id`, so the notification can be told apart from real ones; `endsAt` makes
 * Alertmanager resolve it by itself.
 * @example injectAlert({ labels: { alertname: 'RoutingDrill', severity: 'critical' }, endsAfter: '2m' })
 */
export function injectAlert(opts: Omit<InjectAlertSpec, 'type'>): InjectAlertSpec {
  return { type: 'inject-alert', ...opts };
}

export function alertLabels(spec: InjectAlertSpec, drillId: string, runId: string): Record<string, string> {
  return { ...spec.labels, drill_id: drillId, drill_run_id: runId };
}

function client(ctx: FaultContext): AlertmanagerClient {
  if (!ctx.target.alertmanager) throw new Error('injectAlert needs the environment to have an alertmanager');
  return new AlertmanagerClient({
    timeoutMs: 5_000,
    ...backendTarget('alertmanager', ctx.target.alertmanager, ctx.target),
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
  });
}

export function createInjectAlertFault(spec: InjectAlertSpec): Fault {
  const endsAfterMs = parseDuration(spec.endsAfter);
  return {
    spec,
    describe: () =>
      `inject alert ${spec.labels.alertname ?? '?'} {${Object.entries(spec.labels)
        .filter(([k]) => k !== 'alertname')
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}} into Alertmanager`,
    async inject(ctx: FaultContext): Promise<InjectedFault> {
      const am = client(ctx);
      const now = Date.now();
      const labels = alertLabels(spec, ctx.drillId, ctx.runId);
      await am.postAlerts(
        [
          {
            labels,
            annotations: { summary: `firedrill routing drill ${ctx.drillId}`, ...spec.annotations },
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + endsAfterMs).toISOString(),
            generatorURL: `firedrill://drill/${ctx.drillId}/${ctx.runId}`,
          },
        ],
        ctx.signal,
      );
      return {
        type: 'inject-alert',
        target: am.baseUrl,
        ids: [],
        injectedAt: now,
        expiresAt: now + endsAfterMs,
        detail: { labels, startsAt: new Date(now).toISOString() },
      };
    },
    async rollback(ctx: FaultContext, injected?: InjectedFault): Promise<RollbackOutcome> {
      const labels =
        (injected?.detail?.labels as Record<string, string> | undefined) ??
        alertLabels(spec, ctx.drillId, ctx.runId);
      const startsAt = injected?.detail?.startsAt as string | undefined;
      // Re-posting the same label set with endsAt=now is how a Prometheus resolves an alert;
      // it is idempotent, and a resolved notification follows at the next group_interval.
      await client(ctx).postAlerts([
        { labels, ...(startsAt ? { startsAt } : {}), endsAt: new Date().toISOString() },
      ]);
      return { cleared: true, detail: 'posted endsAt=now' };
    },
  };
}
