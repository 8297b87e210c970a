import {
  type GrafanaAlertingOptions,
  renderGrafanaAlertRules,
  renderGrafanaContactPoints,
  renderGrafanaPolicies,
  slackWebhookEnvVar,
} from '../alerting/grafana.ts';
import { PROFILES } from '../alerting/promql.ts';
import { DASHBOARDS, renderDashboard } from '../dashboards/index.ts';
import { renderGrafanaDashboardProviders, renderGrafanaDatasources } from '../grafana/provisioning.ts';
import { appLogsIndexTemplate } from '../logstash/index-template.ts';
import { renderLogstashPipeline, renderLogstashPipelines } from '../logstash/pipeline.ts';
import type { GeneratedFile } from './build.ts';
import {
  COMPOSE_SLACK_CHANNELS,
  composeUrl,
  renderComposeAlertmanagerConfig,
  renderComposePrometheusConfig,
} from './compose.ts';

/** Grafana alerting provisioning of a profile, as docker-compose.yml mounts it. */
export const grafanaAlertingDir = (profile: string) => `config/grafana/alerting/${profile}`;

export function grafanaAlertingOptions(profile: (typeof PROFILES)[number]): GrafanaAlertingOptions {
  return { profile, channels: { ...COMPOSE_SLACK_CHANNELS }, webhookEnvVar: slackWebhookEnvVar };
}

/**
 * Everything the docker-compose stack reads that is generated from code: per profile, the
 * Prometheus and Alertmanager configs and Grafana's alerting provisioning; and the data sources,
 * dashboards and the Logstash pipeline with its index template.
 */
export function composeGeneratedFiles(): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const profile of PROFILES) {
    files.push(
      {
        path: `config/prometheus/prometheus.compose.${profile}.yml`,
        content: renderComposePrometheusConfig(profile),
      },
      {
        path: `config/alertmanager/alertmanager.compose.${profile}.yml`,
        content: renderComposeAlertmanagerConfig(profile),
      },
      { path: `${grafanaAlertingDir(profile)}/rules.yml`, content: renderGrafanaAlertRules(profile) },
      {
        path: `${grafanaAlertingDir(profile)}/contact-points.yml`,
        content: renderGrafanaContactPoints(grafanaAlertingOptions(profile)),
      },
      {
        path: `${grafanaAlertingDir(profile)}/policies.yml`,
        content: renderGrafanaPolicies(grafanaAlertingOptions(profile)),
      },
    );
  }
  files.push(
    {
      path: 'config/grafana/provisioning/datasources/datasources.yml',
      content: renderGrafanaDatasources({
        prometheus: composeUrl('prometheus'),
        elasticsearch: composeUrl('elasticsearch'),
      }),
    },
    {
      path: 'config/grafana/provisioning/dashboards/firedrill.yml',
      content: renderGrafanaDashboardProviders(),
    },
    ...DASHBOARDS.map((d) => ({ path: `config/grafana/dashboards/${d.file}`, content: renderDashboard(d) })),
    { path: 'config/logstash/pipeline/app-logs.conf', content: renderLogstashPipeline() },
    { path: 'config/logstash/pipelines.yml', content: renderLogstashPipelines() },
    {
      path: 'config/logstash/templates/app-logs.json',
      content: `${JSON.stringify(appLogsIndexTemplate(), null, 2)}\n`,
    },
  );
  return files;
}
