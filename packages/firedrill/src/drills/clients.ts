import type { Logger } from 'pino';
import { AlertmanagerClient } from '../clients/alertmanager.ts';
import { ElasticsearchClient } from '../clients/elasticsearch.ts';
import { GrafanaClient } from '../clients/grafana.ts';
import { PrometheusClient } from '../clients/prometheus.ts';
import { SlackClient } from '../clients/slack.ts';
import type { DrillEnvironment } from './environment.ts';

export interface DrillClients {
  prometheus?: PrometheusClient;
  alertmanager?: AlertmanagerClient;
  grafana?: GrafanaClient;
  elasticsearch?: ElasticsearchClient;
  slack?: SlackClient;
  /** Poll interval for Slack reads: the local sink answers in a millisecond, Slack allows ~1 call a minute. */
  slackPollMs: number;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/** 50 ms keeps firedrill's own share of time-to-notify under its 50 ms median target on the sink. */
export const SINK_POLL_MS = 50;
export const SLACK_POLL_MS = 15_000;

export function buildClients(env: DrillEnvironment, logger: Logger): DrillClients {
  const slackLocal = env.slack ? LOOPBACK.test(env.slack.apiUrl) : false;
  return {
    ...(env.prometheusUrl ? { prometheus: new PrometheusClient({ baseUrl: env.prometheusUrl }) } : {}),
    ...(env.alertmanagerUrl
      ? { alertmanager: new AlertmanagerClient({ baseUrl: env.alertmanagerUrl }) }
      : {}),
    ...(env.grafana
      ? { grafana: new GrafanaClient({ baseUrl: env.grafana.url, token: env.grafana.token }) }
      : {}),
    ...(env.elasticsearchUrl
      ? { elasticsearch: new ElasticsearchClient({ baseUrl: env.elasticsearchUrl }) }
      : {}),
    ...(env.slack?.token
      ? { slack: new SlackClient({ apiUrl: env.slack.apiUrl, token: env.slack.token, logger }) }
      : {}),
    slackPollMs: slackLocal ? SINK_POLL_MS : SLACK_POLL_MS,
  };
}
