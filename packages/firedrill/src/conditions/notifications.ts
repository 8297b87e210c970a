import { type HttpClientOptions, requestText } from '../clients/http-types.ts';

/**
 * Alertmanager's own account of what it sent: `alertmanager_notifications_total` and
 * `alertmanager_notifications_failed_total` for one integration, read from its `/metrics`
 * directly (not through Prometheus, so the second signal does not share the first one's path).
 */
export interface NotificationCounts {
  sent: number;
  failed: number;
}

const LINE = /^alertmanager_notifications(_failed)?_total\{([^}]*)\}\s+([0-9.eE+-]+)/;

export function parseNotificationCounts(metricsText: string, integration: string): NotificationCounts {
  const counts = { sent: 0, failed: 0 };
  for (const line of metricsText.split('\n')) {
    const m = LINE.exec(line);
    if (!m || !new RegExp(`(^|,)integration="${integration}"`).test(m[2]!)) continue;
    // Newer versions split failures by reason: summing the series gives the same total either way.
    if (m[1]) counts.failed += Number(m[3]);
    else counts.sent += Number(m[3]);
  }
  return counts;
}

export async function readNotificationCounts(
  alertmanager: HttpClientOptions,
  integration = 'slack',
  signal?: AbortSignal,
): Promise<NotificationCounts> {
  const { text } = await requestText({ timeoutMs: 5_000, ...alertmanager }, '/metrics', {
    ...(signal ? { signal } : {}),
    headers: { accept: 'text/plain' },
  });
  return parseNotificationCounts(text, integration);
}

/** What Alertmanager sent (and failed to send) to Slack since `before`, as result metrics; {} if unreadable. */
export async function notificationDelta(
  alertmanager: HttpClientOptions,
  before: NotificationCounts,
): Promise<Record<string, number>> {
  try {
    const after = await readNotificationCounts(alertmanager, 'slack');
    return {
      alertmanager_slack_notifications: after.sent - before.sent,
      alertmanager_slack_notifications_failed: after.failed - before.failed,
    };
  } catch {
    return {};
  }
}
