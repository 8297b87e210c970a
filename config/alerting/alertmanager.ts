import { Document } from 'yaml';
import { assertProfile, type Profile } from './promql.ts';

export interface AlertmanagerConfigOptions {
  profile: Profile;
  /** Incoming-webhook URL that posts into `channel` (e.g. `#alerts-critical`). */
  slackWebhookUrl: (channel: string) => string;
  /**
   * Severity → Slack channel, e.g. `{ critical: '#alerts-critical', warning: '#alerts-warning' }`.
   * Alerts with any other severity, or none, go to the `warning` channel (or the first one given).
   */
  channels: Record<string, string>;
  /** firedrill's own webhook: when set, every alert and its resolution is pushed there first. */
  firedrillWebhookUrl?: string;
}

export const FIREDRILL_RECEIVER = 'firedrill';
/** Separate alerts, and separate drills of one alert, become separate notifications. */
export const GROUP_BY = ['alertname', 'job', 'drill_id'] as const;

export const TIMINGS: Record<
  Profile,
  { group_wait: string; group_interval: string; repeat_interval: string }
> = {
  // 0s/1s: a drill sees its notification about 15 ms after Prometheus sends the alert. Repeats
  // would only be noise in a drill, hence 24h.
  fast: { group_wait: '0s', group_interval: '1s', repeat_interval: '24h' },
  default: { group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
};

export function slackReceiverName(channel: string): string {
  return `slack-${channel.replace(/^#/, '')}`;
}

// Go templates, expanded per notification by Alertmanager and, unchanged, by Grafana's Alertmanager
// (config/alerting/grafana.ts). drill_id is in the title because firedrill matches Slack messages
// by alert name and drill id; every label, request ids included, is listed in the text. No `$`
// anywhere: Grafana's provisioning would expand `$name` as an environment variable.
const TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] ' +
  '{{ .GroupLabels.alertname }} ({{ .CommonLabels.severity }})' +
  '{{ with .GroupLabels.drill_id }} drill_id={{ . }}{{ end }}';
const TEXT = [
  '{{ range .Alerts }}*{{ .Labels.alertname }}* {{ .Status }}, severity {{ .Labels.severity }}',
  '{{ with .Annotations.summary }}{{ . }}',
  '{{ end }}{{ with .Annotations.description }}{{ . }}',
  '{{ end }}{{ with .Annotations.runbook_url }}Runbook: {{ . }}',
  '{{ end }}Labels:{{ range .Labels.SortedPairs }} {{ .Name }}={{ .Value }}{{ end }}',
  '{{ end }}',
].join('\n');
const FALLBACK = `${TITLE}{{ with .CommonAnnotations.summary }}: {{ . }}{{ end }}`;
const COLOR =
  '{{ if eq .Status "resolved" }}good{{ else if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}';

/** The Slack message both Alertmanager and Grafana send: title, text, fallback and colour templates. */
export const SLACK_TEMPLATES = { title: TITLE, text: TEXT, fallback: FALLBACK, color: COLOR } as const;

const CHANNEL = /^#[a-z0-9._-]+$/;
const SEVERITY = /^[a-z][a-z0-9_-]*$/;

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function problemsWith(opts: AlertmanagerConfigOptions): string[] {
  const problems: string[] = [];
  const entries = Object.entries(opts.channels);
  if (entries.length === 0) {
    problems.push(
      "channels: map at least one severity to a Slack channel, e.g. { critical: '#alerts-critical' }",
    );
  }
  for (const [severity, channel] of entries) {
    if (!SEVERITY.test(severity)) {
      problems.push(`channels: severity ${JSON.stringify(severity)} must be a label value like critical`);
    }
    if (!CHANNEL.test(channel)) {
      problems.push(
        `channels.${severity}: expected a channel like #alerts-critical, got ${JSON.stringify(channel)}`,
      );
      continue;
    }
    const url = opts.slackWebhookUrl(channel);
    if (!isHttpUrl(url)) {
      problems.push(`slackWebhookUrl('${channel}'): expected an http(s) URL, got ${JSON.stringify(url)}`);
    }
  }
  if (opts.firedrillWebhookUrl !== undefined && !isHttpUrl(opts.firedrillWebhookUrl)) {
    problems.push(
      `firedrillWebhookUrl: expected an http(s) URL, got ${JSON.stringify(opts.firedrillWebhookUrl)}`,
    );
  }
  return problems;
}

/** Alertmanager configuration (YAML): severity-routed Slack receivers, plus firedrill's webhook. */
export function renderAlertmanagerConfig(opts: AlertmanagerConfigOptions): string {
  assertProfile(opts.profile);
  const problems = problemsWith(opts);
  if (problems.length > 0) {
    throw new Error(`renderAlertmanagerConfig: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
  const entries = Object.entries(opts.channels);
  const channels = [...new Set(entries.map(([, channel]) => channel))];
  const fallback = opts.channels.warning ?? entries[0]![1];

  const routes: object[] = [];
  if (opts.firedrillWebhookUrl) {
    // First and `continue: true`: firedrill sees every alert, and routing goes on to Slack.
    routes.push({ receiver: FIREDRILL_RECEIVER, continue: true });
  }
  for (const [severity, channel] of entries) {
    routes.push({ receiver: slackReceiverName(channel), matchers: [`severity="${severity}"`] });
  }
  // Without it an alert of an unlisted severity would reach only firedrill: a matching child
  // route, even one with `continue`, keeps the root's own receiver from being used.
  routes.push({ receiver: slackReceiverName(fallback) });

  const receivers: object[] = channels.map((channel) => ({
    name: slackReceiverName(channel),
    slack_configs: [
      {
        api_url: opts.slackWebhookUrl(channel),
        channel,
        send_resolved: true,
        title: TITLE,
        text: TEXT,
        fallback: FALLBACK,
        color: COLOR,
      },
    ],
  }));
  if (opts.firedrillWebhookUrl) {
    receivers.unshift({
      name: FIREDRILL_RECEIVER,
      webhook_configs: [{ url: opts.firedrillWebhookUrl, send_resolved: true }],
    });
  }

  const doc = new Document({
    route: {
      receiver: slackReceiverName(fallback),
      group_by: [...GROUP_BY],
      ...TIMINGS[opts.profile],
      routes,
    },
    // While the app is down, its other alerts are symptoms of that; equal job keeps a drill's
    // directly injected alerts (no job label) out of it.
    inhibit_rules: [
      {
        source_matchers: ['alertname="AppDown"'],
        target_matchers: ['alertname!="AppDown"'],
        equal: ['job'],
      },
    ],
    receivers,
  });
  doc.commentBefore = ` Generated from config/alerting/alertmanager.ts (profile: ${opts.profile}). Do not edit.`;
  return doc.toString({ lineWidth: 0 });
}
