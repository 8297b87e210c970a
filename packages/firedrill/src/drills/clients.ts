import type { Logger } from 'pino';
import { AlertmanagerClient } from '../clients/alertmanager.ts';
import { ElasticsearchClient } from '../clients/elasticsearch.ts';
import { GrafanaClient } from '../clients/grafana.ts';
import { PrometheusClient } from '../clients/prometheus.ts';
import { SlackClient } from '../clients/slack.ts';
import { backendTarget } from '../connections/backends.ts';
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
  const slackLocal = env.slack ? LOOPBACK.test(env.slack.url) : false;
  const place = { environment: env.name, root: env.root };
  return {
    ...(env.prometheus
      ? { prometheus: new PrometheusClient(backendTarget('prometheus', env.prometheus, place)) }
      : {}),
    ...(env.alertmanager
      ? { alertmanager: new AlertmanagerClient(backendTarget('alertmanager', env.alertmanager, place)) }
      : {}),
    ...(env.grafana ? { grafana: new GrafanaClient(backendTarget('grafana', env.grafana, place)) } : {}),
    ...(env.elasticsearch
      ? { elasticsearch: new ElasticsearchClient(backendTarget('elasticsearch', env.elasticsearch, place)) }
      : {}),
    ...(env.slack?.token ? { slack: slackClient(env, logger) } : {}),
    slackPollMs: slackLocal ? SINK_POLL_MS : SLACK_POLL_MS,
  };
}

/** The environment's Slack (its bot token, and the connection's headers and TLS). */
export function slackClient(
  env: Pick<DrillEnvironment, 'name' | 'root' | 'slack'>,
  logger?: Logger,
): SlackClient {
  const slack = env.slack!;
  const target = backendTarget('slack', slack, { environment: env.name, root: env.root });
  return new SlackClient({
    apiUrl: target.baseUrl,
    token: slack.token!,
    headers: target.headers,
    ...(target.fetch ? { fetch: target.fetch } : {}),
    ...(logger ? { logger } : {}),
  });
}
