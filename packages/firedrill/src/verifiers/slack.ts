import type { MessageCriteria, SlackWaitResult } from '../clients/slack.ts';
import { matchesMessage, messageText, SlackWaitTimeoutError, tsToEpochMs } from '../clients/slack.ts';
import { formatMs, parseDuration } from '../core/duration.ts';
import type { ConditionResult } from '../core/result.ts';
import type { NoSlackMessageCondition, SlackMessageCondition } from '../drills/conditions.ts';
import { errored, fail, pass, type Verifier, type VerifierContext } from './types.ts';

const norm = (c: string) => (c.startsWith('#') ? c : `#${c}`);

function criteria(
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
async function findElsewhere(
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

function waitedDetail(r: SlackWaitResult): Record<string, unknown> {
  return {
    channelId: r.channelId,
    postedAt: r.postedAt,
    seenAt: r.seenAt,
    polls: r.polls,
    rateLimitedMs: r.rateLimitedMs,
    text: messageText(r.message).slice(0, 300),
  };
}

/**
 * A message about the drill's alert arrives in the expected channel. On a miss, the other alert
 * channels are searched so a misroute reads "arrived in the wrong channel", not just "timed out".
 */
export function slackMessageVerifier(
  cond: SlackMessageCondition & { alert?: string },
  ctx: VerifierContext,
  opts: { resolved?: boolean; oldest?: number } = {},
): Verifier {
  const resolved = opts.resolved ?? false;
  const within = parseDuration(cond.within);
  const condition: ConditionResult['condition'] = resolved
    ? { type: 'slackResolved', channel: cond.channel, alert: cond.alert, within }
    : { ...cond, within };
  const match = criteria(ctx, cond.alert, resolved ? undefined : cond.contains, resolved);
  const oldest = opts.oldest ?? ctx.injectedAt;
  return {
    condition,
    async wait(deadline, signal) {
      if (!ctx.slack)
        return errored(condition, new Error('the environment has no Slack API (slack.apiUrl and token)'));
      let rateNote = '';
      try {
        const got = await ctx.slack.waitForMessage({
          channel: cond.channel,
          match,
          oldest,
          deadline,
          pollIntervalMs: ctx.slackPollMs,
          signal,
          onRateLimited: (ms) => {
            rateNote = ' (Slack rate-limited the reads)';
            ctx.timeline.add(resolved ? 'resolve' : 'observe', 'Slack rate limit: waiting', { waitMs: ms });
          },
        });
        const [postedMark, seenMark] = resolved
          ? (['slackResolvedPosted', 'slackResolvedSeen'] as const)
          : (['slackPosted', 'slackSeen'] as const);
        ctx.timeline.mark(postedMark, got.postedAt);
        ctx.timeline.mark(seenMark, got.seenAt);
        ctx.timeline.add(
          resolved ? 'resolve' : 'observe',
          `${resolved ? 'resolved message' : 'Slack message'} in ${norm(cond.channel)}`,
          waitedDetail(got),
          got.postedAt,
        );
        const note = got.rateLimited
          ? `seen ${formatMs(got.seenAt - got.postedAt)} after it was posted, ${formatMs(got.rateLimitedMs)} of it waiting out Slack's rate limit: the limit, not the pipeline, set this delay`
          : undefined;
        return pass(
          condition,
          got.postedAt,
          { channel: norm(cond.channel), ...waitedDetail(got), rateLimited: got.rateLimited },
          note,
        );
      } catch (err) {
        if (!(err instanceof SlackWaitTimeoutError)) {
          if (signal.aborted) return fail(condition, 'aborted before a message arrived');
          return errored(condition, err);
        }
        const what = `${resolved ? 'resolved message' : 'message'} about ${cond.alert ?? 'the alert'}`;
        const elsewhere = await findElsewhere(ctx, cond.channel, match, oldest);
        if (elsewhere) {
          return fail(
            condition,
            `${what} arrived in the wrong channel: ${elsewhere.channel} instead of ${norm(cond.channel)}`,
            { channel: elsewhere.channel, postedAt: elsewhere.postedAt },
          );
        }
        const d = err.details;
        const closest = d.closest
          ? `; closest: "${d.closest.text.slice(0, 120)}" (failed: ${d.closest.failed.join(', ')})`
          : '';
        return fail(
          condition,
          `no ${what} in ${norm(cond.channel)} within ${formatMs(within)} (${d.messagesSeen} other messages seen, ${d.polls} polls${closest})${rateNote}`,
          { messagesSeen: d.messagesSeen, polls: d.polls, rateLimitedMs: d.rateLimitedMs },
        );
      }
    },
  };
}

/** No message about the drill's alert lands in `channel` while watching (routing checks). */
export function noSlackMessageVerifier(
  cond: NoSlackMessageCondition & { alert?: string },
  ctx: VerifierContext,
): Verifier {
  const within = parseDuration(cond.within);
  const condition: ConditionResult['condition'] = { ...cond, within };
  const match = criteria(ctx, cond.alert, undefined, false);
  return {
    condition,
    async wait(deadline, signal) {
      if (!ctx.slack)
        return errored(condition, new Error('the environment has no Slack API (slack.apiUrl and token)'));
      const until = Math.min(deadline, ctx.injectedAt + within);
      try {
        const got = await ctx.slack.waitForMessage({
          channel: cond.channel,
          match,
          oldest: ctx.injectedAt,
          deadline: until,
          pollIntervalMs: ctx.slackPollMs,
          signal,
        });
        ctx.timeline.add(
          'observe',
          `unexpected message in ${norm(cond.channel)}`,
          waitedDetail(got),
          got.postedAt,
        );
        return fail(
          condition,
          `message about ${cond.alert ?? 'the alert'} arrived in ${norm(cond.channel)}, which must not get it`,
          { channel: norm(cond.channel), ...waitedDetail(got) },
        );
      } catch (err) {
        if (err instanceof SlackWaitTimeoutError) {
          return pass(condition, until, {
            channel: norm(cond.channel),
            messagesSeen: err.details.messagesSeen,
          });
        }
        if (signal.aborted) return fail(condition, 'aborted before the watch ended');
        return errored(condition, err);
      }
    },
  };
}
