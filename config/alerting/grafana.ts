import { Document } from 'yaml';
import { GRAFANA_FOLDER, PROMETHEUS_DATASOURCE } from '../grafana/provisioning.ts';
import { GROUP_BY, SLACK_TEMPLATES, slackReceiverName, TIMINGS } from './alertmanager.ts';
import { assertProfile, type Profile } from './promql.ts';
import { type AlertRule, listAlertRules } from './rules.ts';

/**
 * Grafana alerting provisioning (file format `apiVersion: 1`) generated from the same rule
 * definitions as the Prometheus rule files: Grafana-managed rules over the Prometheus data source,
 * one Slack contact point per channel, and notification policies routing by severity.
 */

const EXPRESSION_DATASOURCE = { type: '__expr__', uid: '__expr__' } as const;

/**
 * Grafana's scheduler ticks every 10 s (`[unified_alerting] min_interval`), and a group interval
 * must be a multiple of it, so the fast profile cannot evaluate every second as Prometheus does.
 */
export const GRAFANA_EVALUATION_INTERVAL: Record<Profile, string> = { fast: '10s', default: '20s' };

export interface GrafanaAlertingOptions {
  profile: Profile;
  /** Severity → Slack channel, as for Alertmanager; unlisted severities go to `warning`'s channel. */
  channels: Record<string, string>;
  /**
   * Environment variable holding the webhook URL of a channel. Grafana expands `${NAME}` in
   * contact point settings when it reads the file, so no URL is written into the repository.
   */
  webhookEnvVar: (channel: string) => string;
}

/** The webhook env var for a channel: `#alerts-critical` → `SLACK_WEBHOOK_ALERTS_CRITICAL`. */
export function slackWebhookEnvVar(channel: string): string {
  return `SLACK_WEBHOOK_${channel
    .replace(/^#/, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .toUpperCase()}`;
}

/** Stable rule uid (Grafana allows 40 characters of `[a-zA-Z0-9_-]`): `firedrill-high-api-error-rate`. */
export function grafanaRuleUid(alertName: string): string {
  return `firedrill-${alertName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}

const COMPARISON = /\s*(>=|<=|==|!=|>|<)\s*(bool\s+)?(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/;

/** Whether `expr` has an `and`/`or`/`unless` outside any parentheses, braces or brackets. */
function hasTopLevelSetOperator(expr: string): boolean {
  let depth = 0;
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (let i = 0; i < stripped.length; i++) {
    const c = stripped[i]!;
    if ('({['.includes(c)) depth++;
    else if (')}]'.includes(c)) depth--;
    else if (depth === 0 && /^(and|or|unless)\b/.test(stripped.slice(i)) && /\W/.test(stripped[i - 1] ?? ' '))
      return true;
  }
  return false;
}

/**
 * The rule's PromQL with its final comparison turned into a `bool` one: every series it returns is
 * 1 where the Prometheus rule fires and 0 where it does not. A threshold `> 0` on that fires
 * exactly when Prometheus does, for any comparison operator, and a healthy series reads Normal
 * instead of vanishing into NoData.
 */
export function grafanaQuery(rule: Pick<AlertRule, 'name' | 'expr' | 'threshold'>): string {
  const match = COMPARISON.exec(rule.expr);
  if (!match || match.index === undefined) {
    throw new Error(`${rule.name}: expr must end with a comparison to a number, like "> 0.05"`);
  }
  const [, op, bool, number] = match;
  if (Number(number) !== rule.threshold) {
    throw new Error(
      `${rule.name}: expr compares with ${number}, but the rule's threshold is ${rule.threshold}`,
    );
  }
  const head = rule.expr.slice(0, match.index);
  if (bool || hasTopLevelSetOperator(head)) {
    throw new Error(
      `${rule.name}: expr must be "<query> <op> <threshold>", without bool or a top-level and/or/unless`,
    );
  }
  const separator = rule.expr.slice(match.index).startsWith('\n') ? '\n' : ' ';
  return `${head}${separator}${op} bool ${number}`;
}

function grafanaRule(rule: AlertRule) {
  return {
    uid: grafanaRuleUid(rule.name),
    title: rule.name,
    condition: 'B',
    data: [
      {
        refId: 'A',
        // Instant queries only read `to`; 10 minutes leaves room for the rules' longest window.
        relativeTimeRange: { from: 600, to: 0 },
        datasourceUid: PROMETHEUS_DATASOURCE.uid,
        model: {
          refId: 'A',
          datasource: PROMETHEUS_DATASOURCE,
          editorMode: 'code',
          expr: grafanaQuery(rule),
          instant: true,
          range: false,
          intervalMs: 1000,
          maxDataPoints: 43200,
        },
      },
      {
        refId: 'B',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: EXPRESSION_DATASOURCE.uid,
        model: {
          refId: 'B',
          datasource: EXPRESSION_DATASOURCE,
          type: 'threshold',
          expression: 'A',
          conditions: [{ evaluator: { type: 'gt', params: [0] } }],
        },
      },
    ],
    // As in Prometheus: a query that returns nothing fires nothing, and a failing query is
    // reported as Grafana's own DatasourceError alert rather than as this alert.
    noDataState: 'OK',
    execErrState: 'Error',
    for: rule.for,
    labels: rule.labels,
    annotations: rule.annotations,
    isPaused: false,
  };
}

function render(body: Record<string, unknown>, what: string, profile: Profile): string {
  // No anchors and aliases for repeated objects: every rule reads on its own.
  const doc = new Document({ apiVersion: 1, ...body }, { aliasDuplicateObjects: false });
  doc.commentBefore = ` Grafana ${what}, generated from config/alerting/ (profile: ${profile}) by config/build/build.ts. Do not edit.`;
  return doc.toString({ lineWidth: 0 });
}

/** `groups:` — one Grafana rule group per Prometheus rule group, same names, same order. */
export function renderGrafanaAlertRules(profile: Profile): string {
  assertProfile(profile);
  const groups = new Map<string, AlertRule[]>();
  for (const rule of listAlertRules(profile))
    groups.set(rule.group, [...(groups.get(rule.group) ?? []), rule]);
  return render(
    {
      groups: [...groups].map(([name, rules]) => ({
        orgId: 1,
        name,
        folder: GRAFANA_FOLDER.title,
        interval: GRAFANA_EVALUATION_INTERVAL[profile],
        rules: rules.map(grafanaRule),
      })),
    },
    'alert rules',
    profile,
  );
}

function channelsOf(opts: GrafanaAlertingOptions): { channels: string[]; fallback: string } {
  const entries = Object.entries(opts.channels);
  if (entries.length === 0) throw new Error('channels: map at least one severity to a Slack channel');
  return {
    channels: [...new Set(entries.map(([, channel]) => channel))],
    fallback: opts.channels.warning ?? entries[0]![1],
  };
}

/** `contactPoints:` — a Slack incoming webhook per channel, its URL from an environment variable. */
export function renderGrafanaContactPoints(opts: GrafanaAlertingOptions): string {
  const { channels } = channelsOf(opts);
  return render(
    {
      contactPoints: channels.map((channel) => ({
        orgId: 1,
        name: slackReceiverName(channel),
        receivers: [
          {
            uid: slackReceiverName(channel),
            type: 'slack',
            disableResolveMessage: false,
            settings: {
              url: `\${${opts.webhookEnvVar(channel)}}`,
              recipient: channel,
              username: 'Grafana',
              title: SLACK_TEMPLATES.title,
              text: SLACK_TEMPLATES.text,
            },
          },
        ],
      })),
    },
    'contact points',
    opts.profile,
  );
}

/** `policies:` — the notification policy tree: severity → channel, grouped as Alertmanager groups. */
export function renderGrafanaPolicies(opts: GrafanaAlertingOptions): string {
  const { fallback } = channelsOf(opts);
  return render(
    {
      policies: [
        {
          orgId: 1,
          receiver: slackReceiverName(fallback),
          group_by: [...GROUP_BY],
          ...TIMINGS[opts.profile],
          routes: Object.entries(opts.channels).map(([severity, channel]) => ({
            receiver: slackReceiverName(channel),
            object_matchers: [['severity', '=', severity]],
          })),
        },
      ],
    },
    'notification policies',
    opts.profile,
  );
}
