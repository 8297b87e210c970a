import { GrafanaClient } from '../clients/grafana.ts';
import { backendTarget } from '../connections/backends.ts';
import type { Fault, FaultContext, GrafanaTestNotificationSpec, InjectedFault } from './types.ts';

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
