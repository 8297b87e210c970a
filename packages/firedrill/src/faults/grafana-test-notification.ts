import { z } from 'zod';
import { GrafanaClient } from '../clients/grafana.ts';
import { alertName, labelMap } from '../conditions/kind.ts';
import { backendTarget } from '../connections/backends.ts';
import { defineFaultKind } from './kind.ts';
import type { Fault, FaultContext, InjectedFault } from './types.ts';

const schema = z.strictObject({
  type: z.literal('grafana-test-notification'),
  /** Contact points to notify; `uid` of an existing one lets Grafana use its stored secrets. */
  receivers: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        uid: z.string().min(1).optional(),
        type: z.string().min(1),
        settings: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1, 'needs at least one receiver'),
  /** @defaultValue 'FiredrillRoutingTest' */
  alertname: alertName.optional(),
  /** Labels of the test alert, e.g. the severity a notification policy routes on. */
  labels: labelMap.optional(),
});

/** As a drill file writes it. */
export type GrafanaTestNotificationSpec = z.input<typeof schema>;

export const grafanaTestNotificationKind = defineFaultKind({
  type: 'grafana-test-notification',
  builder: 'grafanaTestNotification',
  schema,
  create: (spec) => createGrafanaTestNotificationFault(spec),
  routingAlert: (spec) => spec.alertname ?? 'FiredrillRoutingTest',
  lockTarget: (_spec, target) => target.grafana?.url ?? 'grafana',
});

/**
 * A test notification sent through Grafana contact points (its receivers-test endpoint): the
 * routing-only drill for Grafana, whose Alertmanager takes no injected alerts. Each receiver is
 * named with the `uid` of an existing contact point, so Grafana fills in the stored secrets (the
 * Slack token or webhook URL) itself. The test alert carries `drill_id` = the run id.
 * @example grafanaTestNotification({ receivers: [{ name: 'slack-critical', uid: 'c1', type: 'slack', settings: { recipient: '#alerts-critical' } }] })
 */
export function grafanaTestNotification(
  opts: Omit<GrafanaTestNotificationSpec, 'type'>,
): GrafanaTestNotificationSpec {
  return { type: 'grafana-test-notification', ...opts };
}

export function createGrafanaTestNotificationFault(spec: GrafanaTestNotificationSpec): Fault {
  return {
    spec,
    describe: () => `Grafana test notification through ${spec.receivers.map((r) => r.name).join(', ')}`,
    async inject(ctx: FaultContext): Promise<InjectedFault> {
      const g = ctx.target.grafana;
      if (!g) throw new Error('grafanaTestNotification needs the environment to have grafana { url, token }');
      const client = new GrafanaClient({
        ...backendTarget('grafana', g, ctx.target),
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      });
      const labels = {
        alertname: spec.alertname ?? 'FiredrillRoutingTest',
        ...spec.labels,
        drill_id: ctx.runId,
      };
      const res = await client.testReceivers(
        {
          alert: { labels, annotations: { summary: `firedrill routing drill ${ctx.drillId}` } },
          receivers: spec.receivers.map((r) => ({
            name: r.name,
            grafana_managed_receiver_configs: [
              { ...(r.uid ? { uid: r.uid } : {}), name: r.name, type: r.type, settings: r.settings },
            ],
          })),
        },
        ctx.signal,
      );
      const failed = res.receivers.flatMap((r) =>
        r.grafana_managed_receiver_configs
          .filter((c) => c.status !== 'ok')
          .map((c) => `${r.name}: ${c.error ?? c.status}`),
      );
      if (failed.length) throw new Error(`Grafana could not notify ${failed.join('; ')}`);
      return {
        type: 'grafana-test-notification',
        target: g.url,
        ids: [],
        injectedAt: Date.now(),
        detail: { labels, notifiedAt: res.notified_at },
      };
    },
    // A test notification has no lifetime: nothing to undo.
    rollback: async () => ({ cleared: false, detail: 'a test notification needs no rollback' }),
  };
}
