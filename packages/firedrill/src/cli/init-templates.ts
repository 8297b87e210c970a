/**
 * What `firedrill init` writes. Every URL and secret is read from environment variables, so a
 * team commits these files as they are and CI hands the secrets over; the flags given to init
 * become the defaults a developer's machine uses.
 */

export interface InitAnswers {
  envName: string;
  baseUrl: string;
  prometheus?: string | undefined;
  alertmanager?: string | undefined;
  pushgateway?: string | undefined;
  elasticsearch?: string | undefined;
  slackChannel: string;
  severity: string;
  allowFaults: boolean;
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function backend(name: string, prefix: string, url: string | undefined): string {
  const opts = url ? `, { url: ${q(url)} }` : '';
  return `      ${name}: connectionFromEnv(${q(prefix)}${opts}),`;
}

export function configTemplate(a: InitAnswers): string {
  return `import { connectionFromEnv, defineConfig, env, requiredEnv } from 'firedrill';

// Each backend is read from <PREFIX>_URL, with _USERNAME/_PASSWORD, _TOKEN or _API_KEY for its
// auth, _HEADERS for extra headers (X-Scope-OrgID=team-a) and _CA_FILE for your CA: see
// .env.example. A backend without a URL is simply absent.
export default defineConfig({
  defaultEnvironment: ${q(a.envName)},
  environments: {
    ${a.envName}: {
      baseUrl: env('FIREDRILL_BASE_URL', ${q(a.baseUrl)})!,
      location: env('FIREDRILL_LOCATION', 'ci'),
      // Drills inject faults only where this is true; a production environment also needs
      // \`production: true\` and --yes-production on the command line.
      allowFaults: ${a.allowFaults},
      faultToken: env('FIREDRILL_FAULT_TOKEN'),
${backend('prometheus', 'FIREDRILL_PROMETHEUS', a.prometheus)}
${backend('alertmanager', 'FIREDRILL_ALERTMANAGER', a.alertmanager)}
${backend('pushgateway', 'FIREDRILL_PUSHGATEWAY', a.pushgateway)}
${backend('elasticsearch', 'FIREDRILL_ELASTICSEARCH', a.elasticsearch)}
      // Drills read Slack with a bot token; without one, probes still run (and drills say what is missing).
      ...(env('FIREDRILL_SLACK_TOKEN')
        ? { slack: { url: env('FIREDRILL_SLACK_URL', 'https://slack.com/api')!, token: requiredEnv('FIREDRILL_SLACK_TOKEN') } }
        : {}),
    },
  },
});
`;
}

export function probeTemplate(): string {
  return `import { defineProbe } from 'firedrill';

// An HTTP probe of the app's front door. Add steps for your own flows (log in, call the API,
// upload a file); a browser probe is the same with kind: 'browser' and a Playwright \`page\`.
export default defineProbe({
  id: 'health',
  name: 'Home page answers',
  kind: 'http',
  schedule: '*/5 * * * *', // for \`firedrill schedule\`
  retries: 1,
  async run({ step, http }) {
    await step('home page', () => http.get('/', { expect: { status: '2xx', maxDurationMs: 3000 } }));
  },
});
`;
}

export function drillTemplate(a: InitAnswers): string {
  return `import { defineDrill, injectAlert, slackMessage } from 'firedrill';

// Routing only: nothing of the app is broken. A synthetic alert goes straight into Alertmanager
// (labelled with this run's drill_id, so it can be told from a real one and silenced) and must
// reach ${a.slackChannel}, then resolve. Add drills that inject real faults once this passes.
export default defineDrill({
  id: 'alert-routing',
  name: 'A ${a.severity} alert reaches ${a.slackChannel}',
  fault: injectAlert({
    labels: { alertname: 'FiredrillRoutingCheck', severity: ${q(a.severity)} },
    endsAfter: '5m',
  }),
  expect: [slackMessage({ channel: ${q(a.slackChannel)}, alert: 'FiredrillRoutingCheck', within: '2m' })],
  resolve: { within: '6m' },
});
`;
}

export function envExampleTemplate(a: InitAnswers): string {
  const conn = (prefix: string, what: string, url: string | undefined, auth: string) =>
    `# ${what}\n${prefix}_URL=${url ?? ''}\n${auth}\n# ${prefix}_CA_FILE=certs/internal-ca.pem\n# ${prefix}_HEADERS=X-Scope-OrgID=team-a\n`;
  const basic = (prefix: string) =>
    `${prefix}_USERNAME=\n${prefix}_PASSWORD=\n# or: ${prefix}_TOKEN= (bearer)`;
  return `# firedrill's settings. Copy to .env (git-ignored) and fill in; CI sets the same names as secrets.
# Run with: npx firedrill probe --env-file .env

# The app under test
FIREDRILL_BASE_URL=${a.baseUrl}
# Bearer token of the app's fault endpoint, for drills that inject faults into the app
FIREDRILL_FAULT_TOKEN=

${conn('FIREDRILL_PROMETHEUS', 'Prometheus (or Mimir, Thanos, VictoriaMetrics): rules and alerts', a.prometheus, basic('FIREDRILL_PROMETHEUS'))}
${conn('FIREDRILL_ALERTMANAGER', 'Alertmanager: alert state, routing, synthetic alerts', a.alertmanager, basic('FIREDRILL_ALERTMANAGER'))}
${conn('FIREDRILL_PUSHGATEWAY', 'Pushgateway: `firedrill probe --push`', a.pushgateway, basic('FIREDRILL_PUSHGATEWAY'))}
${conn('FIREDRILL_ELASTICSEARCH', 'Elasticsearch/OpenSearch holding the app’s logs', a.elasticsearch, '# API key (base64 id:key), or _USERNAME/_PASSWORD\nFIREDRILL_ELASTICSEARCH_API_KEY=')}
# Slack's Web API and a bot token with channels:read, channels:history (chat:write to post)
FIREDRILL_SLACK_URL=https://slack.com/api
FIREDRILL_SLACK_TOKEN=
`;
}

export function workflowTemplate(): string {
  return `# firedrill as a CI gate: the probes must pass before a merge, and nightly against staging.
# Secrets: Settings → Secrets and variables → Actions, named as in .env.example.
name: firedrill

on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: '17 3 * * *'
  workflow_dispatch:

jobs:
  probes:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    # Every name .env.example lists; an unset secret is empty, and that backend is then absent.
    env:
      FIREDRILL_BASE_URL: \${{ secrets.FIREDRILL_BASE_URL }}
      FIREDRILL_FAULT_TOKEN: \${{ secrets.FIREDRILL_FAULT_TOKEN }}
      FIREDRILL_PROMETHEUS_URL: \${{ secrets.FIREDRILL_PROMETHEUS_URL }}
      FIREDRILL_PROMETHEUS_USERNAME: \${{ secrets.FIREDRILL_PROMETHEUS_USERNAME }}
      FIREDRILL_PROMETHEUS_PASSWORD: \${{ secrets.FIREDRILL_PROMETHEUS_PASSWORD }}
      FIREDRILL_ALERTMANAGER_URL: \${{ secrets.FIREDRILL_ALERTMANAGER_URL }}
      FIREDRILL_ALERTMANAGER_USERNAME: \${{ secrets.FIREDRILL_ALERTMANAGER_USERNAME }}
      FIREDRILL_ALERTMANAGER_PASSWORD: \${{ secrets.FIREDRILL_ALERTMANAGER_PASSWORD }}
      FIREDRILL_PUSHGATEWAY_URL: \${{ secrets.FIREDRILL_PUSHGATEWAY_URL }}
      FIREDRILL_PUSHGATEWAY_USERNAME: \${{ secrets.FIREDRILL_PUSHGATEWAY_USERNAME }}
      FIREDRILL_PUSHGATEWAY_PASSWORD: \${{ secrets.FIREDRILL_PUSHGATEWAY_PASSWORD }}
      FIREDRILL_ELASTICSEARCH_URL: \${{ secrets.FIREDRILL_ELASTICSEARCH_URL }}
      FIREDRILL_ELASTICSEARCH_API_KEY: \${{ secrets.FIREDRILL_ELASTICSEARCH_API_KEY }}
      FIREDRILL_SLACK_TOKEN: \${{ secrets.FIREDRILL_SLACK_TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      # Only browser probes (kind: 'browser') need Chromium; HTTP-only projects skip the download.
      # A block scalar (run: |), because the ": " in the pattern would end a plain YAML value.
      - run: |
          if grep -rqs "kind: 'browser'" probes/; then npx playwright install --with-deps chromium; fi
      # Exit codes: 0 passed, 1 a probe failed, 2 the setup is wrong (config, credentials).
      # github: the job summary (a table of results) and an annotation on each failing probe's file.
      - run: npx firedrill probe -r console -r github -r junit -r html
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: firedrill-reports
          path: .firedrill/reports/
`;
}

export const GITIGNORE_LINES = ['.firedrill/', '.env', 'node_modules/'];

export function tsconfigTemplate(): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['firedrill.config.ts', 'probes', 'alert-tests', 'reporters'],
    },
    null,
    2,
  )}\n`;
}
