import { z } from 'zod';
import { SlackWaitTimeoutError } from '../clients/slack.ts';
import { durationMs, formatMs } from '../core/duration.ts';
import { alertName, channel, defineConditionKind } from './kind.ts';
import { criteria, findElsewhere, needsAlert, norm, waitedDetail, withAlert } from './slack.ts';
import { errored, fail, pass, type Verifier, type VerifierContext } from './types.ts';

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
            ctx.timeline.add(lane, phase, 'Slack rate limit: waiting', { waitMs: ms });
          },
        });
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
        if (!(err instanceof SlackWaitTimeoutError)) {
          if (signal.aborted) return fail('aborted before a message arrived');
          return errored(err);
        }
        const what = `${resolved ? 'resolved message' : 'message'} about ${cond.alert ?? 'the alert'}`;
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
