import { silenceMatches } from '../clients/alertmanager.ts';
import type { AmReceiver, AmRouteTiming, AmSilence } from '../clients/alertmanager-types.ts';
import { norm } from '../conditions/slack.ts';
import { formatMs } from '../core/duration.ts';
import type { Hop } from '../core/result.ts';

/**
 * What the live pipeline's own configuration already shows about a drill, before anything is
 * injected. A finding is a verdict on the system under test (its alerting is set up so the drill
 * cannot pass), so preflight refuses to inject and names the hop; a warning goes on the timeline.
 */
export interface Finding {
  hop: Hop;
  /** One sentence with the numbers: what cannot pass, and why. */
  message: string;
  severity: 'refuse' | 'warn';
}

/** An alert's path as preflight read it from Prometheus. */
export interface RuleTiming {
  forMs: number;
  groupIntervalMs: number;
}

/**
 * The least time an alert can take to fire: its `for`, rounded up to whole evaluations
 * (Prometheus only changes an alert's state when it evaluates the rule).
 */
export function minimumFireMs(rule: RuleTiming): number {
  const every = rule.groupIntervalMs;
  return every > 0 ? Math.ceil(rule.forMs / every) * every : rule.forMs;
}

/**
 * A deadline the pipeline cannot meet even with perfect timing (`for`, plus group_wait for a
 * message) is refused; one only its worst case misses (a scrape and an evaluation interval on
 * top) is a warning: the drill may pass, or fail for timing alone.
 */
export function fireBudgetFindings(
  alert: string,
  rule: RuleTiming,
  scrapeMs: number,
  withinMs: number,
): Finding[] {
  const { fire, worst, why } = fireBounds(rule, scrapeMs);
  if (fire > withinMs) {
    return [
      {
        hop: 'fire',
        severity: 'refuse',
        message: `${alert} cannot fire within ${formatMs(withinMs)}: its rule needs at least ${formatMs(fire)} (${why}); raise the drill's within or lower the rule's for`,
      },
    ];
  }
  if (worst > withinMs) {
    return [
      {
        hop: 'fire',
        severity: 'warn',
        message: `${alert} may miss its ${formatMs(withinMs)} deadline: the pipeline's worst case is ${formatMs(worst)} (${why}, + ${formatMs(scrapeMs)} scrape, + ${formatMs(rule.groupIntervalMs)} evaluation)`,
      },
    ];
  }
  return [];
}

/** The same for a Slack message about the alert: the fire's bounds plus the route's group timing. */
export function notifyBudgetFindings(
  alert: string,
  channel: string,
  rule: RuleTiming,
  scrapeMs: number,
  withinMs: number,
  route: AmRouteTiming,
): Finding[] {
  const { fire, worst, why } = fireBounds(rule, scrapeMs);
  const notify = fire + route.groupWaitMs;
  const worstNotify = worst + Math.max(route.groupWaitMs, route.groupIntervalMs);
  if (notify > withinMs) {
    return [
      {
        hop: 'notify',
        severity: 'refuse',
        message: `a message about ${alert} in ${channel} cannot arrive within ${formatMs(withinMs)}: the pipeline needs at least ${formatMs(notify)} (${why}, + group_wait ${formatMs(route.groupWaitMs)} of receiver ${route.receiver})`,
      },
    ];
  }
  if (worstNotify > withinMs) {
    return [
      {
        hop: 'notify',
        severity: 'warn',
        message: `a message about ${alert} in ${channel} may miss its ${formatMs(withinMs)} deadline: the pipeline's worst case is ${formatMs(worstNotify)}`,
      },
    ];
  }
  return [];
}

function fireBounds(rule: RuleTiming, scrapeMs: number): { fire: number; worst: number; why: string } {
  const fire = minimumFireMs(rule);
  const rounded =
    fire !== rule.forMs ? `, rounded up to the ${formatMs(rule.groupIntervalMs)} evaluation` : '';
  return {
    fire,
    worst: fire + scrapeMs + rule.groupIntervalMs,
    why: `for ${formatMs(rule.forMs)}${rounded}`,
  };
}

/**
 * Metric names a rule's expression reads that Prometheus holds no series of. A name close to
 * one it has is almost surely a typo: refused, with the name meant. A name with no neighbour may
 * be a counter the app only creates on its first event (prom-client's labelled counters do), so
 * that is a warning, and the failure message repeats it if the rule then never fires.
 */
export function absentMetricFindings(
  alert: string,
  exprNames: readonly string[],
  known: readonly string[],
  nearest: (name: string, among: readonly string[]) => string | undefined,
): Finding[] {
  const have = new Set(known);
  const out: Finding[] = [];
  for (const name of exprNames) {
    if (have.has(name)) continue;
    const meant = nearest(name, known);
    out.push(
      meant
        ? {
            hop: 'fire',
            severity: 'refuse',
            message: `${alert}'s expression reads ${name}, which Prometheus has no series of (did you mean ${meant}?): the rule can never fire`,
          }
        : {
            hop: 'fire',
            severity: 'warn',
            message: `${alert}'s expression reads ${name}, which Prometheus has no series of yet: the rule fires only once the app exposes it`,
          },
    );
  }
  return out;
}

/** Where the live routing tree sends an alert, against the Slack channel the drill expects it in. */
export function routeFindings(
  alert: string,
  labels: Record<string, string>,
  routes: readonly AmRouteTiming[],
  receivers: ReadonlyMap<string, AmReceiver>,
  expected: { channel: string; resolvedMessage: boolean },
): Finding[] {
  const landing = routes.map((r) => receivers.get(r.receiver)).filter((r): r is AmReceiver => !!r);
  const slack = landing.flatMap((r) => r.slack.map((s) => ({ receiver: r.name, ...s })));
  // A Slack config without `channel` posts where its webhook is bound: not visible in the config.
  if (slack.some((s) => s.channel === undefined) || landing.length === 0) return [];
  const into = slack.filter((s) => norm(s.channel!) === norm(expected.channel));
  const shown = labelText(labels);
  if (into.length === 0) {
    const elsewhere = landing
      .map((r) => {
        const channels = r.slack.map((s) => s.channel).join(', ');
        return channels ? `${r.name} (posts to ${channels})` : `${r.name} (no Slack)`;
      })
      .join(', ');
    return [
      {
        hop: 'notify',
        severity: 'refuse',
        message: `Alertmanager routes ${`${alert} ${shown}`.trim()} to ${elsewhere}, not to ${expected.channel}: the message can never arrive there`,
      },
    ];
  }
  if (expected.resolvedMessage && into.every((s) => !s.sendResolved)) {
    return [
      {
        hop: 'resolve',
        severity: 'refuse',
        message: `receiver ${into[0]!.receiver} has send_resolved off for ${expected.channel}: no resolved message will ever be posted (set send_resolved: true, or resolve: { message: false })`,
      },
    ];
  }
  return [];
}

/** An active silence that would swallow the drill's alert, named with who set it and until when. */
export function silenceFindings(
  alert: string,
  labels: Record<string, string>,
  silences: readonly AmSilence[],
): Finding[] {
  return silences
    .filter((s) => s.status.state === 'active' && silenceMatches(s, labels))
    .map((s) => ({
      hop: 'notify' as const,
      severity: 'refuse' as const,
      message: `silence ${s.id} by ${s.createdBy || 'unknown'} until ${s.endsAt}${s.comment ? ` ("${s.comment}")` : ''} matches ${`${alert} ${labelText(labels)}`.trim()}: its notification would be swallowed; expire the silence or wait`,
    }));
}

/** The log index that has had nothing new for longer than the shipper's usual gap. */
export function staleLogFinding(
  index: string,
  newestAt: number | undefined,
  now: number,
  sentSince: number,
): Finding {
  const age =
    newestAt === undefined ? 'it holds no entries' : `its newest entry is ${formatMs(now - newestAt)} old`;
  return {
    hop: 'log',
    severity: 'refuse',
    message: `no log entry has reached ${index} since preflight's requests ${formatMs(now - sentSince)} ago, and ${age}: is the log shipper running?`,
  };
}

function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}="${v}"`);
  return pairs.length ? `{${pairs.join(', ')}}` : '';
}
