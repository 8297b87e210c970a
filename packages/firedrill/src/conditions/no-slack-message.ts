import { z } from 'zod';
import { SlackWaitTimeoutError } from '../clients/slack.ts';
import { durationMs } from '../core/duration.ts';
import { alertName, channel, defineConditionKind } from './kind.ts';
import { criteria, needsAlert, norm, waitedDetail, withAlert } from './slack.ts';
import { errored, fail, pass, type Verifier, type VerifierContext } from './types.ts';

const schema = z.strictObject({
  type: z.literal('noSlackMessage'),
  /** Channel that must stay quiet about this drill's alert. */
  channel,
  /** Alert that must not appear. @defaultValue the alert of the drill's first `alertFires` */
  alert: alertName.optional(),
  /** How long to keep watching; the condition passes when this passes quietly. */
  within: durationMs,
});

/** As a drill file writes it. */
export type NoSlackMessageCondition = z.input<typeof schema>;
/** As the drill runs it: `within` in ms, `alert` filled from the drill. */
export type NoSlackMessagePlan = z.output<typeof schema>;

/**
 * No notification about the drill's alert may land in `channel` while watching; for routing checks.
 * @example noSlackMessage({ channel: '#alerts-warning', within: '5s' })
 */
export function noSlackMessage(opts: Omit<NoSlackMessageCondition, 'type'>): NoSlackMessageCondition {
  return { type: 'noSlackMessage', ...opts };
}

export const noSlackMessageKind = defineConditionKind({
  type: 'noSlackMessage',
  schema,
  withDefaults: withAlert,
  check: needsAlert,
  verifier: (plan, ctx) => noSlackMessageVerifier(plan, ctx),
});

/** No message about the drill's alert lands in `channel` while watching (routing checks). */
export function noSlackMessageVerifier(
  cond: NoSlackMessagePlan,
  ctx: VerifierContext,
): Verifier<NoSlackMessagePlan> {
  const within = cond.within;
  const match = criteria(ctx, cond.alert, undefined, false);
  return {
    condition: cond,
    hop: 'notify',
    phase: 'observe',
    async wait(deadline, signal) {
      if (!ctx.slack) return errored(new Error('the environment has no Slack API (slack.apiUrl and token)'));
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
          'notify',
          'observe',
          `unexpected message in ${norm(cond.channel)}`,
          waitedDetail(got),
          got.postedAt,
        );
        return fail(
          `message about ${cond.alert ?? 'the alert'} arrived in ${norm(cond.channel)}, which must not get it`,
          { channel: norm(cond.channel), ...waitedDetail(got) },
        );
      } catch (err) {
        if (err instanceof SlackWaitTimeoutError) {
          return pass(until, {
            channel: norm(cond.channel),
            messagesSeen: err.details.messagesSeen,
          });
        }
        if (signal.aborted) return fail('aborted before the watch ended');
        return errored(err);
      }
    },
  };
}
