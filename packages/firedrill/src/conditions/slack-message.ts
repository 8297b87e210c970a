import { z } from 'zod';
import { SlackWaitTimeoutError } from '../clients/slack.ts';
import { durationMs, formatMs } from '../core/duration.ts';
import { alertName, channel, defineConditionKind } from './kind.ts';
import { criteria, findElsewhere, needsAlert, norm, waitedDetail, withAlert } from './slack.ts';
import {
  conclusiveFail,
  errored,
  fail,
  nextPoll,
  pass,
  type Verifier,
  type VerifierContext,
} from './types.ts';

const schema = z.strictObject({
  type: z.literal('slackMessage'),
  /** Channel the notification must land in. @example '#alerts-critical' */
  channel,
  /** Alert the message is about. @defaultValue the alert of the drill's first `alertFires` */
  alert: alertName.optional(),
  /** Text the message (title, text or attachment fields) must contain. */
  contains: z.string().min(1).optional(),
  /** Deadline, counted from the moment the fault was injected. */
  within: durationMs,
});

/** As a drill file writes it. */
export type SlackMessageCondition = z.input<typeof schema>;
/** As the drill runs it: `within` in ms, `alert` filled from the drill. */
export type SlackMessagePlan = z.output<typeof schema>;

/**
 * A notification about the drill's alert must land in `channel` within the deadline.
 * @example slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' })
 */
export function slackMessage(opts: Omit<SlackMessageCondition, 'type'>): SlackMessageCondition {
  return { type: 'slackMessage', ...opts };
}

export const slackMessageKind = defineConditionKind({
  type: 'slackMessage',
  schema,
  withDefaults: withAlert,
  check: needsAlert,
  verifier: (plan, ctx) => slackMessageVerifier(plan, ctx) as Verifier<SlackMessagePlan>,
});

/**
 * A message about the drill's alert arrives in the expected channel. On a miss, the other alert
 * channels are searched so a misroute reads "arrived in the wrong channel", not just "timed out".
 */
export function slackMessageVerifier(
  cond: SlackMessagePlan,
  ctx: VerifierContext,
  opts: { resolved?: boolean; oldest?: number } = {},
): Verifier {
  const resolved = opts.resolved ?? false;
  const within = cond.within;
  const condition = resolved
    ? { type: 'slackResolved', channel: cond.channel, ...(cond.alert ? { alert: cond.alert } : {}), within }
    : cond;
  const match = criteria(ctx, cond.alert, resolved ? undefined : cond.contains, resolved);
  const oldest = opts.oldest ?? ctx.injectedAt;
  const lane = resolved ? 'resolve' : 'notify';
  const phase = resolved ? 'resolve' : 'observe';
  return {
    condition,
    hop: lane,
    phase,
    async wait(deadline, signal) {
      if (!ctx.slack) return errored(new Error('the environment has no Slack API (slack.apiUrl and token)'));
      let rateNote = '';
      const what = `${resolved ? 'resolved message' : 'message'} about ${cond.alert ?? 'the alert'}`;
      const misrouted = watchElsewhere(ctx, cond.channel, match, oldest, deadline, signal);
      try {
        const got = await ctx.slack.waitForMessage({
          channel: cond.channel,
          match,
          oldest,
          deadline,
          pollIntervalMs: ctx.slackPollMs,
          signal: misrouted.signal,
          onRateLimited: (ms) => {
            rateNote = ' (Slack rate-limited the reads)';
            ctx.timeline.add(lane, phase, 'Slack rate limit: waiting', { waitMs: ms });
          },
        });
        await misrouted.found();
        const marks = resolved
          ? { slackResolvedPosted: got.postedAt, slackResolvedSeen: got.seenAt }
          : { slackPosted: got.postedAt, slackSeen: got.seenAt };
        ctx.timeline.add(
          lane,
          phase,
          `${resolved ? 'resolved message' : 'Slack message'} in ${norm(cond.channel)}`,
          waitedDetail(got),
          got.postedAt,
        );
        const note = got.rateLimited
          ? `seen ${formatMs(got.seenAt - got.postedAt)} after it was posted, ${formatMs(got.rateLimitedMs)} of it waiting out Slack's rate limit: the limit, not the pipeline, set this delay`
          : undefined;
        return pass(
          got.postedAt,
          { channel: norm(cond.channel), ...waitedDetail(got), rateLimited: got.rateLimited },
          note,
          marks,
        );
      } catch (err) {
        const early = await misrouted.found();
        if (early) {
          return conclusiveFail(
            `${what} arrived in the wrong channel: ${early.channel} instead of ${norm(cond.channel)} (seen at +${formatMs(early.postedAt - ctx.injectedAt)}, and still not in ${norm(cond.channel)} ${formatMs(Date.now() - early.postedAt)} later)`,
            { channel: early.channel, postedAt: early.postedAt },
          );
        }
        if (!(err instanceof SlackWaitTimeoutError)) {
          if (signal.aborted) return fail('aborted before a message arrived');
          return errored(err);
        }
        const elsewhere = await findElsewhere(ctx, cond.channel, match, oldest);
        if (elsewhere) {
          return fail(
            `${what} arrived in the wrong channel: ${elsewhere.channel} instead of ${norm(cond.channel)}`,
            { channel: elsewhere.channel, postedAt: elsewhere.postedAt },
          );
        }
        const d = err.details;
        const closest = d.closest
          ? `; closest: "${d.closest.text.slice(0, 120)}" (failed: ${d.closest.failed.join(', ')})`
          : '';
        return fail(
          `no ${what} in ${norm(cond.channel)} within ${formatMs(within)} (${d.messagesSeen} other messages seen, ${d.polls} polls${closest})${rateNote}`,
          { messagesSeen: d.messagesSeen, polls: d.polls, rateLimitedMs: d.rateLimitedMs },
        );
      }
    },
  };
}

/**
 * Looks for the message in the other channels while the expected one is awaited. A match
 * elsewhere that the expected channel still lacks a grace period later (a `continue` route
 * posts to both at once) is conclusive: `signal` then aborts the wait, and `found` says where.
 */
function watchElsewhere(
  ctx: VerifierContext,
  expected: string,
  match: Parameters<typeof findElsewhere>[2],
  oldest: number,
  deadline: number,
  outer: AbortSignal,
): { signal: AbortSignal; found(): Promise<{ channel: string; postedAt: number } | undefined> } {
  const seen = new AbortController();
  const signal = AbortSignal.any([outer, seen.signal]);
  const every = Math.max(1_000, ctx.slackPollMs * 2);
  const graceMs = Math.max(2_000, ctx.slackPollMs * 3);
  let hit: { channel: string; postedAt: number } | undefined;
  const watching = (async () => {
    while (await nextPoll(deadline, signal, every)) {
      const e = await findElsewhere(ctx, expected, match, oldest).catch(() => undefined);
      if (e && Date.now() - e.postedAt >= graceMs) {
        hit = e;
        seen.abort(new Error(`message in ${e.channel}`));
        return;
      }
    }
  })();
  return {
    signal,
    found: async () => {
      if (!seen.signal.aborted) seen.abort(new Error('done'));
      await watching;
      return hit;
    },
  };
}
