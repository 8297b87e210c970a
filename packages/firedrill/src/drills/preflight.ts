import { receivers as amReceivers, routeTimings } from '../clients/alertmanager.ts';
import type { AmRouteTiming, AmSilence } from '../clients/alertmanager-types.ts';
import type { PrometheusClient, PromTimingConfig } from '../clients/prometheus.ts';
import { scrapeIntervalOf } from '../clients/prometheus.ts';
import { type AlertFiresPlan, type AlertSighting, sightAlert } from '../conditions/alert-fires.ts';
import { type NotificationCounts, readNotificationCounts } from '../conditions/notifications.ts';
import type { VerifierContext } from '../conditions/types.ts';
import { BackendAccessError } from '../connections/http.ts';
import { SetupError } from '../core/errors.ts';
import { nearestName } from '../core/nearest.ts';
import { metricNamesOf } from '../core/promql.ts';
import { loadLogSchema } from '../log-schemas/validate.ts';
import type { DrillEnvironment } from './environment.ts';
import { activeInhibitors } from './inhibition.ts';
import { exprWindowMs, scrapeJobOf } from './pipeline-clock.ts';
import {
  absentMetricFindings,
  type Finding,
  fireBudgetFindings,
  notifyBudgetFindings,
  routeFindings,
  silenceFindings,
  staleLogFinding,
} from './pipeline-findings.ts';
import type { DrillPlan } from './plan.ts';
import type { DrillTraffic } from './traffic.ts';

/** One expected alert's rule as the live Prometheus has it loaded. */
export interface PreflightRule {
  forMs: number;
  group: string;
  groupIntervalMs: number;
  lastEvaluation?: string;
  /** The scrape job its expression reads (`job="…"`). */
  job?: string;
  /** Its longest range or offset: how long after its cause it can still hold. */
  windowMs?: number;
  /** Its expression as Prometheus has it loaded. */
  query?: string;
  /** Its labels (severity, …): part of what Alertmanager routes on. */
  labels?: Record<string, string>;
}

/** What preflight learnt that later phases and the hop figures need. */
export interface PreflightInfo {
  /** Per alert: the rule's `for` and its group's interval, from the live Prometheus. */
  rules: Map<string, PreflightRule>;
  promTiming?: PromTimingConfig;
  /** Timing of the Slack route the drill's alert takes (not firedrill's own webhook route). */
  amTiming?: AmRouteTiming;
  /** Offset of the rule group's evaluation after the app's scrape, within one interval. */
  evalOffsetMs?: number;
  notificationsBefore?: NotificationCounts;
}

/**
 * Preflight refused to inject. `findings` are verdicts on the system under test (its live
 * config cannot pass the drill: a `fail`, nothing injected); `problems` are checks that could
 * not be made or a state that is not steady (an `error`).
 */
export class PreflightError extends Error {
  override name = 'PreflightError';
  /** `backend-access` when a backend refused firedrill: the setup is wrong (exit 2), not the system. */
  readonly type: string;
  constructor(
    readonly problems: string[],
    causes: readonly unknown[] = [],
    readonly findings: readonly Finding[] = [],
  ) {
    super(`preflight failed: ${[...findings.map((f) => f.message), ...problems].join('; ')}`);
    this.type = causes.some((c) => c instanceof BackendAccessError)
      ? 'backend-access'
      : causes.some((c) => c instanceof UnknownAlertError)
        ? 'unknown-alert'
        : problems.length === 0
          ? 'pipeline-config'
          : 'PreflightError';
  }
}

/** A drill expects an alert no loaded rule defines: a typo or a missing rule, not a failing system (exit 2). */
export class UnknownAlertError extends SetupError {
  override name = 'UnknownAlertError';
  override readonly type = 'unknown-alert';
}

async function unknownAlert(
  p: PrometheusClient,
  alert: string,
  signal: AbortSignal,
): Promise<UnknownAlertError> {
  const names = (await p.ruleGroups(signal))
    .flatMap((g) => g.rules)
    .flatMap((r) => (r.type === 'alerting' ? [r.name] : []));
  const near = nearestName(alert, names);
  const hint = near
    ? ` (did you mean ${near}?)`
    : names.length
      ? ` (loaded: ${[...new Set(names)].sort().join(', ')})`
      : ' (no alerting rules are loaded)';
  return new UnknownAlertError(`no alerting rule named ${alert} is loaded${hint}`);
}

// A log index with nothing newer than this has a shipper that may be down: preflight then
// waits for its own requests' lines before refusing.
const LOG_FRESH_MS = 60_000;
const LOG_WAIT_MS = 15_000;

const DISCOVERY_WAIT_MS = 30_000;
// A fast-profile alert resolves one rule window (10 s) plus an evaluation after its cause ends.
export const STEADY_STATE_WAIT_MS = 30_000;

async function waitForAlertmanagerDiscovery(ctx: VerifierContext, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < DISCOVERY_WAIT_MS && !signal.aborted) {
    const { active } = await ctx.prometheus!.alertmanagers(signal);
    if (active.length > 0) return Date.now() - started;
    // Prometheus needs a few seconds after start to discover Alertmanager: poll, don't sleep blind.
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Prometheus has discovered no Alertmanager after ${DISCOVERY_WAIT_MS / 1000}s: alerts could never be sent`,
  );
}

/**
 * Steady state before anything is broken: targets reachable, each expected rule loaded, its alert
 * not already firing, Prometheus connected to Alertmanager, the Slack channels and the log index
 * reachable, and the drill's traffic answered as usual. Every problem is collected, then thrown together.
 */
export async function preflight(
  drill: DrillPlan,
  env: DrillEnvironment,
  ctx: VerifierContext,
  traffic: DrillTraffic | undefined,
  routing: boolean,
  signal: AbortSignal,
  /** How long an expected alert may still be active (a previous drill's, resolving) before preflight gives up. */
  steadyStateWaitMs = STEADY_STATE_WAIT_MS,
): Promise<PreflightInfo> {
  const info: PreflightInfo = { rules: new Map() };
  const problems: string[] = [];
  const causes: unknown[] = [];
  const findings: Finding[] = [];
  const note = (list: readonly Finding[]) => {
    for (const f of list) {
      if (f.severity === 'refuse') findings.push(f);
      else ctx.timeline.add(f.hop, 'preflight', `warning: ${f.message}`);
    }
  };
  const add = (event: string, detail?: Record<string, unknown>) =>
    ctx.timeline.add('preflight', 'preflight', event, detail);
  const check = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      causes.push(err);
      // A refused backend names itself; the check's own label would only repeat it.
      problems.push(err instanceof BackendAccessError ? err.message : `${what}: ${(err as Error).message}`);
    }
  };
  const alerts = drill.expect.filter((c): c is AlertFiresPlan => c.type === 'alertFires');
  const usesRules = alerts.some((a) => (a.source ?? 'prometheus') !== 'grafana') && !routing;
  const usesSlack = drill.expect.some((c) => c.type === 'slackMessage' || c.type === 'noSlackMessage');
  const usesLogs = drill.expect.some((c) => c.type === 'logsArrive');

  const preflightStarted = Date.now();
  let live: { config: string; silences: AmSilence[] } | undefined;
  let baselineDone: Promise<unknown> = Promise.resolve();
  await Promise.all([
    traffic &&
      check(`app ${env.baseUrl}`, async () => {
        const baseline = traffic.baseline(signal);
        baselineDone = baseline.catch(() => undefined);
        const b = await baseline;
        if (!b.ok) throw new Error(`steady state not met before the fault: ${b.problems.join(', ')}`);
        add('steady state: traffic answered as usual', {
          [traffic.unit === 'probe runs' ? 'probeRuns' : 'requests']: b.samples.length,
        });
      }),
    usesRules &&
      check('Prometheus', async () => {
        const p = ctx.prometheus;
        if (!p) throw new Error(`the environment has no prometheus (environments.${env.name}.prometheus)`);
        info.promTiming = await p.timingConfig(signal);
        let known: string[] | undefined;
        for (const a of alerts) {
          const found = await p.findAlertRule(a.alert, signal);
          if (!found) throw await unknownAlert(p, a.alert, signal);
          known ??= await p.metricNames(signal);
          note(absentMetricFindings(a.alert, metricNamesOf(found.rule.query), known, nearestName));
          const job = scrapeJobOf(found.rule.query);
          const windowMs = exprWindowMs(found.rule.query);
          const rule: PreflightRule = {
            forMs: found.rule.duration * 1000,
            group: found.group.name,
            groupIntervalMs: found.group.interval * 1000,
            ...(found.group.lastEvaluation ? { lastEvaluation: found.group.lastEvaluation } : {}),
            ...(job ? { job } : {}),
            ...(windowMs ? { windowMs } : {}),
            query: found.rule.query,
            labels: found.rule.labels ?? {},
          };
          info.rules.set(a.alert, rule);
          note(fireBudgetFindings(a.alert, rule, scrapeIntervalOf(info.promTiming, job), a.within));
          if (job && found.group.lastEvaluation) {
            const target = (await p.targets(signal)).find((t) => t.labels.job === job);
            if (target) {
              const interval = found.group.interval * 1000;
              const diff = Date.parse(found.group.lastEvaluation) - Date.parse(target.lastScrape);
              info.evalOffsetMs = ((diff % interval) + interval) % interval;
            }
          }
        }
        const ms = await waitForAlertmanagerDiscovery(ctx, signal);
        add('Prometheus has discovered Alertmanager', { waitedMs: ms });
      }),
    alerts.length > 0 &&
      check('alert state', async () => {
        // An alert a previous drill caused may still be resolving: wait for it (bounded), do not fail at once.
        const started = Date.now();
        for (const a of alerts) {
          const source = routing ? 'alertmanager' : (a.source ?? 'prometheus');
          let s: AlertSighting = await sightAlert(ctx, source, { alert: a.alert, labels: a.labels }, signal);
          while (s.state !== 'inactive' && Date.now() - started < steadyStateWaitMs && !signal.aborted) {
            await new Promise((r) => setTimeout(r, 500));
            s = await sightAlert(ctx, source, { alert: a.alert, labels: a.labels }, signal);
          }
          if (s.state !== 'inactive') {
            throw new Error(
              `${a.alert} is already ${s.state} in ${source}${steadyStateWaitMs ? ` (still after ${Math.round(steadyStateWaitMs / 1000)}s)` : ''}: not a steady state`,
            );
          }
        }
        if (Date.now() - started > 1000) add('waited for a steady state', { waitedMs: Date.now() - started });
        add('steady state: no expected alert active', { alerts: alerts.map((a) => a.alert) });
      }),
    ctx.alertmanager &&
      check('Alertmanager', async () => {
        const am = ctx.alertmanager!;
        const first = alerts[0];
        const labels = routing
          ? faultLabels(drill)
          : { alertname: first?.alert ?? drill.alert ?? '', ...(first?.labels ?? {}) };
        const [status, silences] = await Promise.all([am.status(signal), am.silences(signal)]);
        live = { config: status.config.original, silences };
        const timings = routeTimings(live.config, labels);
        info.amTiming = timings.find((t) => t.receiver !== 'firedrill') ?? timings[0];
        // An alert that inhibits ours (AppDown after a restart, still resolving) would swallow the
        // notification: wait for it, bounded like the steady state, rather than fail at Slack later.
        if (usesSlack) {
          const started = Date.now();
          let blocking = await activeInhibitors(am, labels, routing, signal);
          while (blocking.length > 0 && Date.now() - started < steadyStateWaitMs && !signal.aborted) {
            await new Promise((r) => setTimeout(r, 500));
            blocking = await activeInhibitors(am, labels, routing, signal);
          }
          if (blocking.length > 0) {
            throw new Error(
              `${blocking.join(', ')} active in Alertmanager inhibits ${labels.alertname}: its notification would never be sent`,
            );
          }
          if (Date.now() - started > 1000)
            add('waited for inhibiting alerts to clear', { waitedMs: Date.now() - started });
        }
        info.notificationsBefore = await readNotificationCounts(am.opts, 'slack', signal);
      }),
    usesSlack &&
      check('Slack', async () => {
        if (!ctx.slack) throw new Error('the environment has no Slack API');
        await ctx.slack.authTest(signal);
        for (const c of drill.expect) {
          if (c.type !== 'slackMessage' && c.type !== 'noSlackMessage') continue;
          try {
            await ctx.slack.resolveChannel(c.channel, signal);
          } catch {
            // The local sink creates a channel on its first post; real Slack fails later with a clear error.
            add(`Slack channel ${c.channel} not listed yet`, { channel: c.channel });
          }
        }
        add('Slack reachable');
      }),
    usesLogs &&
      check('log store', async () => {
        if (!ctx.elasticsearch)
          throw new Error(`the environment has no elasticsearch (environments.${env.name}.elasticsearch)`);
        const flavor = await ctx.elasticsearch.flavor(signal);
        const patterns = new Set(
          drill.expect.flatMap((c) => (c.type === 'logsArrive' ? [c.index ?? 'app-logs-*'] : [])),
        );
        for (const p of patterns) {
          const found = await ctx.elasticsearch.indices(p, signal);
          add(`log index ${p} reachable`, { indices: found.length, ...flavor });
          const stale = await logShipping(ctx, p, preflightStarted, traffic && baselineDone, signal);
          if (stale) findings.push(stale);
        }
        // Compiled now, not when observing starts: compiling stalls the event loop for a moment
        // (100+ ms on a busy box), which would delay the drill's first requests after the fault.
        for (const c of drill.expect) if (c.type === 'logsArrive' && c.schema) loadLogSchema(c.schema);
      }),
  ]);
  if (live && problems.length === 0) note(routingFindings(drill, info, live, routing));
  if (problems.length || findings.length) throw new PreflightError(problems, causes, findings);
  return info;
}

/**
 * What the live Alertmanager will do with each alert a Slack condition expects: the receiver
 * its labels route to, a silence that swallows it, send_resolved, and whether `for` plus
 * group_wait fit the condition's deadline.
 */
function routingFindings(
  drill: DrillPlan,
  info: PreflightInfo,
  live: { config: string; silences: AmSilence[] },
  routing: boolean,
): Finding[] {
  const out: Finding[] = [];
  const receivers = amReceivers(live.config);
  for (const c of drill.expect) {
    if (c.type !== 'slackMessage' || !c.alert) continue;
    const rule = info.rules.get(c.alert);
    const fromAlert = drill.expect.find(
      (x): x is AlertFiresPlan => x.type === 'alertFires' && x.alert === c.alert,
    );
    const labels = routing
      ? injectedLabels(drill, c.alert)
      : { ...(rule?.labels ?? {}), ...(fromAlert?.labels ?? {}), alertname: c.alert };
    if (!labels) continue;
    const routes = routeTimings(live.config, labels).filter((r) => r.receiver !== 'firedrill');
    out.push(
      ...routeFindings(c.alert, labels, routes, receivers, {
        channel: c.channel,
        resolvedMessage: drill.resolve !== false && drill.resolve.message,
      }),
      ...silenceFindings(c.alert, labels, live.silences),
    );
    // Injected straight into Alertmanager, a routing drill's alert skips Prometheus entirely.
    const timing = routing ? { forMs: 0, groupIntervalMs: 0 } : rule;
    const scrapeMs = routing || !info.promTiming ? 0 : scrapeIntervalOf(info.promTiming, rule?.job);
    if (timing && routes[0])
      out.push(...notifyBudgetFindings(c.alert, c.channel, timing, scrapeMs, c.within, routes[0]));
  }
  return out;
}

/**
 * The log index must be receiving now. With traffic, a line of preflight's own requests must
 * arrive within a few seconds (an entry from before says nothing of a shipper stopped since);
 * without, its newest entry must be younger than a minute. A stopped shipper is then found
 * before the fault, not after the whole deadline of a log condition.
 */
async function logShipping(
  ctx: VerifierContext,
  index: string,
  since: number,
  baselineDone: Promise<unknown> | undefined,
  signal: AbortSignal,
): Promise<Finding | undefined> {
  const es = ctx.elasticsearch!;
  let newest = await es.newestTimestamp(index, signal);
  if (!baselineDone) {
    if (newest !== undefined && Date.now() - newest < LOG_FRESH_MS) return undefined;
    return staleLogFinding(index, newest, Date.now(), since);
  }
  if (newest !== undefined && newest >= since) return undefined;
  await baselineDone;
  const until = Date.now() + LOG_WAIT_MS;
  while (Date.now() < until && !signal.aborted) {
    await new Promise((r) => setTimeout(r, 250));
    await es.refresh(index, signal).catch(() => {});
    newest = await es.newestTimestamp(index, signal);
    if (newest !== undefined && newest >= since) return undefined;
  }
  return staleLogFinding(index, newest, Date.now(), since);
}

/** The labels of the injected alert named `alert`, if the drill injects one. */
function injectedLabels(drill: DrillPlan, alert: string): Record<string, string> | undefined {
  for (const f of drill.faults)
    if (f.type === 'inject-alert' && f.labels.alertname === alert) return f.labels;
  return undefined;
}

function faultLabels(drill: DrillPlan): Record<string, string> {
  const faults = drill.faults;
  const f = faults.find((x) => x.type === 'inject-alert');
  return f?.type === 'inject-alert' ? f.labels : {};
}
