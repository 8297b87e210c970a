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

/** The notification timing that applies to one alert, from the route it lands on. */
export interface AmRouteTiming {
  receiver: string;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  groupBy: string[];
}
