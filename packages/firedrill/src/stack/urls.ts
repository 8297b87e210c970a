import { loopback } from './component.ts';
import type { StackPorts, StackState } from './types.ts';

/** Where each part of a running local stack answers. */
export interface StackUrls {
  /** The demo app. */
  baseUrl: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  pushgatewayUrl: string;
  /** OpenSearch, spoken to with the Elasticsearch HTTP API. */
  elasticsearchUrl: string;
  /** The Slack sink's Web API base, like `https://slack.com/api`. */
  slackApiUrl: string;
  /** The sink's incoming-webhook URL for a channel (`#alerts-critical` or `alerts-critical`). */
  slackWebhookUrl: (channel: string) => string;
  /** Reserved for the firedrill scheduler's `/metrics`; Prometheus scrapes it as job `firedrill`. */
  firedrillMetricsPort: number;
  /** Reserved for the drill runner: Alertmanager posts every notification here. */
  firedrillWebhookUrl: string;
}

/** Path the drill runner serves Alertmanager's webhook on. */
export const FIREDRILL_WEBHOOK_PATH = '/alertmanager';

export function slackWebhookUrlFor(sinkPort: number, channel: string): string {
  return `${loopback(sinkPort)}/hooks/${encodeURIComponent(channel.replace(/^#/, ''))}`;
}

export function urlsFromPorts(ports: StackPorts): StackUrls {
  return {
    baseUrl: loopback(ports['demo-app']),
    prometheusUrl: loopback(ports.prometheus),
    alertmanagerUrl: loopback(ports.alertmanager),
    pushgatewayUrl: loopback(ports.pushgateway),
    elasticsearchUrl: loopback(ports.opensearch),
    slackApiUrl: `${loopback(ports['slack-sink'])}/api`,
    slackWebhookUrl: (channel) => slackWebhookUrlFor(ports['slack-sink'], channel),
    firedrillMetricsPort: ports['firedrill-metrics'],
    firedrillWebhookUrl: `${loopback(ports['firedrill-webhook'])}${FIREDRILL_WEBHOOK_PATH}`,
  };
}

export function stackUrls(state: Pick<StackState, 'ports'>): StackUrls {
  return urlsFromPorts(state.ports);
}
