import type { MessageCriteria, SlackWaitResult } from '../clients/slack.ts';
import { matchesMessage, messageText, tsToEpochMs } from '../clients/slack.ts';
import type { DrillDefaults } from './kind.ts';
import type { VerifierContext } from './types.ts';

/** What the Slack conditions share: finding a drill's message, and where else it went. */

export const norm = (c: string) => (c.startsWith('#') ? c : `#${c}`);

export function criteria(
  ctx: VerifierContext,
  alert: string | undefined,
  contains: string | undefined,
  resolved: boolean,
): MessageCriteria {
  return {
    ...(alert ? { alertName: alert } : {}),
    ...(ctx.drillLabel ? { drillId: ctx.drillLabel } : {}),
    ...(contains ? { text: contains } : {}),
    resolved,
  };
}

/** Where else the message went: the first other channel holding a match since `oldest`. */
export async function findElsewhere(
  ctx: VerifierContext,
  expected: string,
  match: MessageCriteria,
  oldest: number,
): Promise<{ channel: string; postedAt: number } | undefined> {
  if (!ctx.slack) return undefined;
  for (const channel of ctx.slackChannels.map(norm)) {
    if (channel === norm(expected)) continue;
    try {
      const hit = (await ctx.slack.history({ channel, oldest })).find((m) => matchesMessage(m, match));
      if (hit) return { channel, postedAt: tsToEpochMs(hit.ts) };
    } catch {
      // a channel nobody ever posted to does not exist yet in the sink: nothing there
    }
  }
  return undefined;
}

export function waitedDetail(r: SlackWaitResult): Record<string, unknown> {
  return {
    channelId: r.channelId,
    postedAt: r.postedAt,
    seenAt: r.seenAt,
    polls: r.polls,
    rateLimitedMs: r.rateLimitedMs,
    text: messageText(r.message).slice(0, 300),
  };
}

/** The alert a Slack condition is about: its own, else the drill's. */
export function withAlert<P extends { alert?: string | undefined }>(plan: P, d: DrillDefaults): P {
  const alert = plan.alert ?? d.alert;
  return alert ? { ...plan, alert } : plan;
}

/** A Slack condition that cannot know its alert: nothing names one and the drill has none to lend. */
export function needsAlert(plan: { alert?: string | undefined }, d: DrillDefaults) {
  return plan.alert || d.alert
    ? undefined
    : { path: ['alert'], message: 'name the alert, or add an alertFires condition it can default to' };
}
