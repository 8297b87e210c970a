import { Document } from 'yaml';
import { assertProfile, durationSeconds, increaseWithNewSeries, PROFILES, type Profile } from './promql.ts';

export { PROFILES, type Profile } from './promql.ts';

/** Scrape job of the app under test, as the stack's Prometheus names it. */
export const APP_JOB = 'demo-app';
/** Rule groups evaluate this often in the `fast` profile, whatever the global evaluation interval. */
export const FAST_EVALUATION_INTERVAL = '1s';
export const RUNBOOK_BASE_URL =
  'https://github.com/firedrill/firedrill/blob/main/config/alerting/runbooks.md';

export type Severity = 'critical' | 'warning';

/** What an expression or text is built from, per profile. */
export interface RuleContext {
  /** Range of the rule's rate/increase windows, e.g. `10s`; empty for rules on gauges. */
  window: string;
  windowSeconds: number;
  threshold: number;
  job: string;
}

export interface ProfileSettings {
  /** Range of rate/increase windows; omit for rules on gauges. */
  window?: string;
  /** How long the condition must hold before the alert fires. */
  for: string;
  /** Replaces the definition's `threshold` in this profile. */
  threshold?: number;
}

export interface AlertRuleDefinition {
  /** Alert name: the stable id that drills, routes and Slack messages refer to. PascalCase. */
  name: string;
  /** Prometheus rule group. */
  group: string;
  severity: Severity;
  threshold: number;
  profiles: Record<Profile, ProfileSettings>;
  expr: (ctx: RuleContext) => string;
  /**
   * Static text, no `{{ $value }}`: promtool unit tests compare annotations exactly, and drills
   * match Slack messages on it.
   */
  summary: (ctx: RuleContext) => string;
  description: (ctx: RuleContext) => string;
  /** Anchor in `config/alerting/runbooks.md`. */
  runbook: string;
}

/** One rule as a profile resolves it: what drills and the renderer read. */
export interface AlertRule {
  name: string;
  group: string;
  severity: Severity;
  expr: string;
  for: string;
  forSeconds: number;
  window: string | undefined;
  windowSeconds: number | undefined;
  threshold: number;
  labels: { severity: Severity };
  annotations: { summary: string; description: string; runbook_url: string };
}

export function defineAlertRule(definition: AlertRuleDefinition): AlertRuleDefinition {
  return definition;
}

const inc = (selector: string, ctx: RuleContext) => increaseWithNewSeries(selector, ctx.window, ctx.job);
const sumBy = (by: string, inner: string) => `sum by (${by}) (\n  ${inner.replaceAll('\n', '\n  ')}\n)`;
const apiRoutes = (ctx: RuleContext) => `job="${ctx.job}", route=~"/api(/.*)?"`;
const percent = (ratio: number) => `${+(ratio * 100).toFixed(2)}%`;
const mib = (bytes: number) => `${bytes / 2 ** 20} MiB`;

const fast = (window?: string): ProfileSettings => (window ? { window, for: '0s' } : { for: '0s' });

export const RULE_DEFINITIONS: readonly AlertRuleDefinition[] = [
  defineAlertRule({
    name: 'AppDown',
    group: 'demo-app-availability',
    severity: 'critical',
    threshold: 0,
    profiles: { fast: fast(), default: { for: '2m' } },
    expr: (ctx) => `up{job="${ctx.job}"} == ${ctx.threshold}`,
    summary: (ctx) => `${ctx.job} is down: Prometheus cannot scrape it`,
    description: (ctx) => `The ${ctx.job} scrape target answers no scrape (up == 0).`,
    runbook: 'appdown',
  }),
  defineAlertRule({
    name: 'HighApiErrorRate',
    group: 'demo-app-api',
    severity: 'critical',
    threshold: 0.05,
    profiles: { fast: fast('10s'), default: { window: '5m', for: '2m' } },
    expr: (ctx) =>
      `${sumBy('job', inc(`http_requests_total{${apiRoutes(ctx)}, status_code=~"5.."}`, ctx))}\n/\n` +
      `${sumBy('job', inc(`http_requests_total{${apiRoutes(ctx)}}`, ctx))}\n> ${ctx.threshold}`,
    summary: (ctx) => `More than ${percent(ctx.threshold)} of /api requests fail with 5xx`,
    description: (ctx) =>
      `The share of /api requests answered with a 5xx status over the last ${ctx.window} is above ${percent(ctx.threshold)}.`,
    runbook: 'highapierrorrate',
  }),
  defineAlertRule({
    name: 'SlowApiResponses',
    group: 'demo-app-api',
    severity: 'warning',
    threshold: 1,
    profiles: { fast: fast('10s'), default: { window: '5m', for: '5m' } },
    expr: (ctx) =>
      `histogram_quantile(0.95,\n  ${sumBy('job, le', inc(`http_request_duration_seconds_bucket{${apiRoutes(ctx)}}`, ctx)).replaceAll('\n', '\n  ')}\n)\n> ${ctx.threshold}`,
    summary: (ctx) => `p95 of /api response time is above ${ctx.threshold}s`,
    description: (ctx) =>
      `The 95th percentile of /api response times over the last ${ctx.window} is above ${ctx.threshold}s.`,
    runbook: 'slowapiresponses',
  }),
  defineAlertRule({
    name: 'FailedLoginSpike',
    group: 'demo-app-security',
    severity: 'warning',
    threshold: 0.5,
    profiles: { fast: fast('10s'), default: { window: '5m', for: '2m' } },
    expr: (ctx) =>
      `${sumBy('job', inc(`login_attempts_total{job="${ctx.job}", result="failure"}`, ctx))}\n/ ${ctx.windowSeconds}\n> ${ctx.threshold}`,
    summary: (ctx) => `More than ${ctx.threshold} failed logins per second`,
    description: (ctx) =>
      `Failed login attempts over the last ${ctx.window} average more than ${ctx.threshold} per second (${ctx.threshold * ctx.windowSeconds} in ${ctx.window}): a password-guessing attempt or a broken login flow.`,
    runbook: 'failedloginspike',
  }),
  defineAlertRule({
    name: 'SuspiciousRequests',
    group: 'demo-app-security',
    severity: 'warning',
    threshold: 0.1,
    profiles: { fast: fast('10s'), default: { window: '5m', for: '2m' } },
    expr: (ctx) =>
      `${sumBy('job', inc(`suspicious_requests_total{job="${ctx.job}"}`, ctx))}\n/ ${ctx.windowSeconds}\n> ${ctx.threshold}`,
    summary: (ctx) => `More than ${ctx.threshold} suspicious requests per second`,
    description: (ctx) =>
      `Requests the app flagged as suspicious over the last ${ctx.window} average more than ${ctx.threshold} per second (${ctx.threshold * ctx.windowSeconds} in ${ctx.window}).`,
    runbook: 'suspiciousrequests',
  }),
  defineAlertRule({
    name: 'SlowImageProcessing',
    group: 'demo-app-processing',
    severity: 'warning',
    threshold: 2,
    profiles: { fast: fast('10s'), default: { window: '10m', for: '5m' } },
    // The mean, not a quantile: image jobs are few, and a quantile of three observations is
    // mostly bucket interpolation. Only over at least one job: a count that did not grow (a
    // restart, an idle app) gave x/0 = +Inf, which fired on every restart.
    expr: (ctx) =>
      `${sumBy('job', inc(`image_processing_duration_seconds_sum{job="${ctx.job}"}`, ctx))}\n/\n` +
      `(\n${sumBy('job', inc(`image_processing_duration_seconds_count{job="${ctx.job}"}`, ctx))}\n>= 1\n)\n> ${ctx.threshold}`,
    summary: (ctx) => `Image processing takes more than ${ctx.threshold}s on average`,
    description: (ctx) =>
      `Image jobs finished over the last ${ctx.window} took more than ${ctx.threshold}s on average.`,
    runbook: 'slowimageprocessing',
  }),
  defineAlertRule({
    name: 'SlowDatabaseQueries',
    group: 'demo-app-processing',
    severity: 'warning',
    threshold: 0.25,
    profiles: { fast: fast('10s'), default: { window: '5m', for: '5m' } },
    // Over at least one query, as SlowImageProcessing: x/0 = +Inf fired on every restart.
    expr: (ctx) =>
      `${sumBy('job, operation', inc(`db_query_duration_seconds_sum{job="${ctx.job}"}`, ctx))}\n/\n` +
      `(\n${sumBy('job, operation', inc(`db_query_duration_seconds_count{job="${ctx.job}"}`, ctx))}\n>= 1\n)\n> ${ctx.threshold}`,
    summary: (ctx) => `Database queries take more than ${ctx.threshold}s on average`,
    description: (ctx) =>
      `Database queries of one operation over the last ${ctx.window} took more than ${ctx.threshold}s on average.`,
    runbook: 'slowdatabasequeries',
  }),
  defineAlertRule({
    name: 'HighMemoryUsage',
    group: 'demo-app-resources',
    severity: 'warning',
    threshold: 2 ** 30,
    // A memory fault in a demo need not allocate a whole gigabyte to prove the alert path.
    profiles: { fast: { for: '0s', threshold: 512 * 2 ** 20 }, default: { for: '10m' } },
    expr: (ctx) => `process_resident_memory_bytes{job="${ctx.job}"} > ${ctx.threshold}`,
    summary: (ctx) => `Resident memory is above ${mib(ctx.threshold)}`,
    description: (ctx) => `The ${ctx.job} process holds more than ${mib(ctx.threshold)} of resident memory.`,
    runbook: 'highmemoryusage',
  }),
  defineAlertRule({
    name: 'HighCpuUsage',
    group: 'demo-app-resources',
    severity: 'warning',
    threshold: 0.9,
    // CPU seconds grow at every scrape, so there is no new-series gap and a 5s window is enough.
    profiles: { fast: fast('5s'), default: { window: '5m', for: '10m' } },
    expr: (ctx) => `rate(process_cpu_seconds_total{job="${ctx.job}"}[${ctx.window}]) > ${ctx.threshold}`,
    summary: (ctx) => `CPU use is above ${percent(ctx.threshold)} of one core`,
    description: (ctx) =>
      `The ${ctx.job} process used more than ${percent(ctx.threshold)} of one core over the last ${ctx.window}; Node runs JavaScript on one core.`,
    runbook: 'highcpuusage',
  }),
  defineAlertRule({
    name: 'EventLoopLag',
    group: 'demo-app-resources',
    severity: 'warning',
    threshold: 0.2,
    profiles: { fast: fast(), default: { for: '5m' } },
    expr: (ctx) => `nodejs_eventloop_lag_p99_seconds{job="${ctx.job}"} > ${ctx.threshold}`,
    summary: (ctx) => `Event-loop lag p99 is above ${ctx.threshold}s`,
    description: (ctx) =>
      `The p99 event-loop delay of ${ctx.job} is above ${ctx.threshold}s: synchronous work is blocking every request.`,
    runbook: 'eventlooplag',
  }),
];

/** Problems with rule definitions, each naming the rule and the property; empty when all is well. */
export function validateRuleDefinitions(definitions: readonly AlertRuleDefinition[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const def of definitions) {
    if (seen.has(def.name)) problems.push(`${def.name}: duplicate alert name`);
    seen.add(def.name);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(def.name)) {
      problems.push(`${def.name}: name must be PascalCase like HighApiErrorRate`);
    }
    for (const profile of PROFILES) {
      const settings = def.profiles[profile];
      for (const key of ['window', 'for'] as const) {
        const value = settings[key];
        if (value === undefined) continue;
        try {
          durationSeconds(value);
        } catch (error) {
          problems.push(`${def.name}: profiles.${profile}.${key}: ${(error as Error).message}`);
        }
      }
      if (settings.window !== undefined && durationSeconds(settings.window) === 0) {
        problems.push(`${def.name}: profiles.${profile}.window: must be longer than 0s`);
      }
    }
  }
  return problems;
}

const definitionProblems = validateRuleDefinitions(RULE_DEFINITIONS);
if (definitionProblems.length > 0) {
  throw new Error(`config/alerting/rules.ts:\n  ${definitionProblems.join('\n  ')}`);
}

export function resolveAlertRule(def: AlertRuleDefinition, profile: Profile, job = APP_JOB): AlertRule {
  const settings = def.profiles[profile];
  const window = settings.window;
  const ctx: RuleContext = {
    window: window ?? '',
    windowSeconds: window ? durationSeconds(window) : 0,
    threshold: settings.threshold ?? def.threshold,
    job,
  };
  return {
    name: def.name,
    group: def.group,
    severity: def.severity,
    expr: def.expr(ctx),
    for: settings.for,
    forSeconds: durationSeconds(settings.for),
    window,
    windowSeconds: window ? ctx.windowSeconds : undefined,
    threshold: ctx.threshold,
    labels: { severity: def.severity },
    annotations: {
      summary: def.summary(ctx),
      description: def.description(ctx),
      runbook_url: `${RUNBOOK_BASE_URL}#${def.runbook}`,
    },
  };
}

/** Every alert rule as `profile` resolves it, in rule-file order. */
export function listAlertRules(profile: Profile): AlertRule[] {
  assertProfile(profile);
  return RULE_DEFINITIONS.map((def) => resolveAlertRule(def, profile));
}

/** A Prometheus rule file (YAML) with every alert rule of `profile`. */
export function renderPrometheusRules(profile: Profile): string {
  const groups = new Map<string, AlertRule[]>();
  for (const rule of listAlertRules(profile)) {
    groups.set(rule.group, [...(groups.get(rule.group) ?? []), rule]);
  }
  const doc = new Document({
    groups: [...groups].map(([name, rules]) => ({
      name,
      ...(profile === 'fast' ? { interval: FAST_EVALUATION_INTERVAL } : {}),
      rules: rules.map((r) => ({
        alert: r.name,
        expr: r.expr,
        for: r.for,
        labels: r.labels,
        annotations: r.annotations,
      })),
    })),
  });
  doc.commentBefore = ` Generated from config/alerting/rules.ts (profile: ${profile}) by config/build/build.ts. Do not edit.`;
  return doc.toString({ lineWidth: 0 });
}
