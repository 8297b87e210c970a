/**
 * Alertmanager API v2 and webhook (version 4) shapes, as Alertmanager 0.2x serves and sends
 * them, and as Grafana repeats them under `/api/alertmanager/grafana/api/v2/*`.
 */

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
  generatorURL?: string;
}

/** A silence as `GET /api/v2/silences` lists it. */
export interface AmSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  updatedAt?: string;
  createdBy: string;
  comment: string;
}

/** What `POST /api/v2/alerts` takes. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AmStatus {
  cluster: { name?: string; status: string; peers?: unknown[] };
  config: { original: string };
  uptime: string;
  versionInfo: {
    version: string;
    revision?: string;
    branch?: string;
    buildUser?: string;
    buildDate?: string;
    goVersion?: string;
  };
}

/** Body of a `webhook_configs` POST (payload `version: "4"`). */
export interface AmWebhookPayload {
  version: string;
  groupKey: string;
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AmWebhookAlert[];
}

export interface AmWebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** One receiver of the live config: where it sends, and whether it says "resolved". */
export interface AmReceiver {
  name: string;
  slack: { channel?: string; sendResolved: boolean }[];
  webhooks: { url: string; sendResolved: boolean }[];
  email: { to: string; sendResolved: boolean }[];
  /** Every `*_configs` key it has (pagerduty_configs, …): integrations firedrill may not verify. */
  integrations: string[];
}

/** The notification timing that applies to one alert, from the route it lands on. */
export interface AmRouteTiming {
  receiver: string;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  groupBy: string[];
}
