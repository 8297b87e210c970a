import { Document } from 'yaml';
import { PROFILE_TIMINGS } from '../../packages/firedrill/src/stack/components/prometheus.ts';
import { renderAlertmanagerConfig } from '../alerting/alertmanager.ts';
import type { Profile } from '../alerting/promql.ts';
import { APP_JOB } from '../alerting/rules.ts';

/**
 * The docker-compose stack's topology as data: service names and the ports each listens on inside
 * the compose network. The generated configs point at these, and the compose tests check that
 * docker-compose.yml and docs/docker.md say the same.
 */
export const COMPOSE_PORTS = {
  'demo-app': 3000,
  prometheus: 9090,
  alertmanager: 9093,
  pushgateway: 9091,
  grafana: 3000,
  elasticsearch: 9200,
  logstash: 9600,
  kibana: 5601,
  'slack-sink': 3100,
  /** `firedrill schedule --port`: the scheduler's /metrics and /healthz. */
  firedrill: 9469,
} as const;
export type ComposeService = keyof typeof COMPOSE_PORTS;

/**
 * The demo app's fault endpoint answers loopback clients only. A gateway in the app's network
 * namespace forwards this port to the app, so a request through it (firedrill's faults from the
 * host) arrives from 127.0.0.1; inside the network it is `demo-app:8080`.
 */
export const DEMO_APP_GATEWAY_PORT = 8080;

/**
 * Ports published on the host (bound to 127.0.0.1), by the service that publishes them: what
 * docs/docker.md lists and a newcomer opens. The scheduler's is for looking at its /metrics.
 */
export const HOST_PORTS: Record<string, readonly number[]> = {
  'demo-app': [DEMO_APP_GATEWAY_PORT],
  prometheus: [COMPOSE_PORTS.prometheus],
  alertmanager: [COMPOSE_PORTS.alertmanager],
  pushgateway: [COMPOSE_PORTS.pushgateway],
  grafana: [COMPOSE_PORTS.grafana],
  elasticsearch: [COMPOSE_PORTS.elasticsearch],
  kibana: [COMPOSE_PORTS.kibana],
  'slack-sink': [COMPOSE_PORTS['slack-sink']],
  firedrill: [COMPOSE_PORTS.firedrill],
};

/** Severity → channel, as the local stack routes them (config/firedrill.config.ts `stack.slackChannels`). */
export const COMPOSE_SLACK_CHANNELS = { critical: '#alerts-critical', warning: '#alerts-warning' } as const;

/**
 * Alertmanager's Slack receivers post to the sink under these channels, not Grafana's: each channel
 * then has one sender, and a drill that reads `#alerts-critical` times Grafana's notification, not
 * whichever of the two alerting paths happened to be faster.
 */
export function alertmanagerComposeChannel(channel: string): string {
  return `#am-${channel.replace(/^#/, '')}`;
}

export function composeUrl(service: ComposeService): string {
  return `http://${service}:${COMPOSE_PORTS[service]}`;
}

/** The sink's incoming webhook for a channel, as seen from inside the compose network. */
export function composeSinkWebhook(channel: string): string {
  return `${composeUrl('slack-sink')}/hooks/${encodeURIComponent(channel.replace(/^#/, ''))}`;
}

/** Where the Prometheus container finds what docker-compose.yml mounts. */
export const PROMETHEUS_RULES_MOUNT = '/etc/prometheus/rules.yml';

const target = (service: ComposeService) => ({
  static_configs: [{ targets: [`${service}:${COMPOSE_PORTS[service]}`] }],
});

function withHeader(text: string, source: string, profile: Profile): string {
  return `# Generated from ${source} (profile: ${profile}) by config/build/build.ts. Do not edit.\n${text}`;
}

/** prometheus.yml for the compose stack: the same jobs as the local stack, by service name. */
export function renderComposePrometheusConfig(profile: Profile): string {
  const t = PROFILE_TIMINGS[profile];
  const doc = new Document(
    {
      global: {
        scrape_interval: t.scrapeInterval,
        scrape_timeout: t.scrapeTimeout,
        evaluation_interval: t.evaluationInterval,
      },
      rule_files: [PROMETHEUS_RULES_MOUNT],
      alerting: { alertmanagers: [target('alertmanager')] },
      scrape_configs: [
        { job_name: APP_JOB, ...target('demo-app') },
        // Pushed series carry their own job and instance labels; keep them.
        { job_name: 'pushgateway', honor_labels: true, ...target('pushgateway') },
        { job_name: 'firedrill', ...target('firedrill') },
        { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${COMPOSE_PORTS.prometheus}`] }] },
        { job_name: 'alertmanager', ...target('alertmanager') },
      ],
    },
    { aliasDuplicateObjects: false },
  );
  return withHeader(
    doc.toString({ lineWidth: 0 }),
    'config/build/compose.ts and packages/firedrill/src/stack/components/prometheus.ts',
    profile,
  );
}

/** alertmanager.yml for the compose stack: the shared renderer, pointed at the sink service. */
export function renderComposeAlertmanagerConfig(profile: Profile): string {
  return renderAlertmanagerConfig({
    profile,
    channels: Object.fromEntries(
      Object.entries(COMPOSE_SLACK_CHANNELS).map(([severity, channel]) => [
        severity,
        alertmanagerComposeChannel(channel),
      ]),
    ),
    slackWebhookUrl: composeSinkWebhook,
  });
}
