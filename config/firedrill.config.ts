import { connectionFromEnv, defineConfig, env } from 'firedrill';

export default defineConfig({
  defaultEnvironment: 'local',
  environments: {
    // The embedded local stack (`firedrill stack up`): URLs come from its state file.
    local: {
      stack: true,
      location: env('FIREDRILL_LOCATION', 'local'),
      allowFaults: true,
      credentials: {
        username: env('FIREDRILL_USERNAME', 'demo')!,
        password: env('FIREDRILL_PASSWORD', 'demo-password')!,
      },
      faultToken: env('FIREDRILL_FAULT_TOKEN', 'local-fault-token'),
    },
    // The docker-compose stack (docs/docker.md). URLs default to the ports it publishes on the host;
    // its scheduler container points them at the services by name (docker-compose.yml).
    compose: {
      baseUrl: env('FIREDRILL_COMPOSE_BASE_URL', 'http://127.0.0.1:8080')!,
      location: env('FIREDRILL_LOCATION', 'compose'),
      allowFaults: true,
      credentials: {
        username: env('FIREDRILL_USERNAME', 'demo')!,
        password: env('FIREDRILL_PASSWORD', 'demo-password')!,
      },
      faultToken: env('FIREDRILL_FAULT_TOKEN'),
      // Each backend from <PREFIX>_URL (and _USERNAME/_PASSWORD, _TOKEN, _API_KEY, _CA_FILE, …).
      prometheus: connectionFromEnv('FIREDRILL_COMPOSE_PROMETHEUS', { url: 'http://127.0.0.1:9090' }),
      alertmanager: connectionFromEnv('FIREDRILL_COMPOSE_ALERTMANAGER', { url: 'http://127.0.0.1:9093' }),
      pushgateway: connectionFromEnv('FIREDRILL_COMPOSE_PUSHGATEWAY', { url: 'http://127.0.0.1:9091' }),
      elasticsearch: connectionFromEnv('FIREDRILL_COMPOSE_ELASTICSEARCH', { url: 'http://127.0.0.1:9200' }),
      slack: env('SLACK_BOT_TOKEN')
        ? { url: 'https://slack.com/api', token: env('SLACK_BOT_TOKEN')! }
        : {
            url: env('FIREDRILL_COMPOSE_SLACK_API_URL', 'http://127.0.0.1:3100/api')!,
            token: 'xoxb-firedrill-local',
          },
      // Only when a token exists: grafana.token is required, and an empty one would fail the whole config.
      ...(env('FIREDRILL_GRAFANA_TOKEN')
        ? {
            grafana: {
              url: env('FIREDRILL_COMPOSE_GRAFANA_URL', 'http://127.0.0.1:3000')!,
              token: env('FIREDRILL_GRAFANA_TOKEN')!,
            },
          }
        : {}),
    },
  },
  stack: {
    profile: 'fast',
    opensearch: { version: '2.19.6', heapMb: 512 },
    slackChannels: { critical: '#alerts-critical', warning: '#alerts-warning' },
  },
});
