import { z } from 'zod';
import { durationMs, formatMs } from '../core/duration.ts';
import { defineConditionKind } from './kind.ts';
import { errored, fail, nextPoll, pass, type Verifier, type VerifierContext } from './types.ts';

const OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type PromqlOp = (typeof OPS)[number];

const schema = z.strictObject({
  type: z.literal('promql'),
  /** An instant-query expression; its first sample (or scalar) is compared. */
  expr: z.string().min(1),
  op: z.enum(OPS),
  value: z.number(),
  /** Deadline, counted from the moment the fault was injected. */
  within: durationMs,
});

/** As a drill file writes it. */
export type PromqlCondition = z.input<typeof schema>;
/** As the drill runs it: `within` in ms. */
export type PromqlPlan = z.output<typeof schema>;

/**
 * A PromQL expression must hold (`value op threshold`) at some point before the deadline.
 * @example promql('sum(rate(http_requests_total{status_code=~"5.."}[30s]))', { op: '>', value: 0, within: '20s' })
 */
export function promql(expr: string, opts: Omit<PromqlCondition, 'type' | 'expr'>): PromqlCondition {
  return { type: 'promql', expr, ...opts };
}

export const promqlKind = defineConditionKind({
  type: 'promql',
  schema,
  verifier: (plan, ctx) => promqlVerifier(plan, ctx),
});

export function compare(actual: number, op: PromqlOp, value: number): boolean {
  switch (op) {
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** A PromQL expression's first sample compares true at some point before the deadline. */
export function promqlVerifier(cond: PromqlPlan, ctx: VerifierContext): Verifier<PromqlPlan> {
  const within = cond.within;
  return {
    condition: cond,
    hop: 'fire',
    phase: 'observe',
    async wait(deadline, signal) {
      if (!ctx.prometheus) return errored(new Error('the environment has no prometheusUrl'));
      let last: number | undefined;
      let samples = 0;
      let lastError: string | undefined;
      do {
        try {
          last = await ctx.prometheus.queryNumber(cond.expr, signal);
          samples++;
          lastError = undefined;
        } catch (err) {
          if (signal.aborted) break;
          lastError = (err as Error).message;
          // Bad PromQL never gets better: say so at once instead of at the deadline.
          if (/bad_data/.test(lastError)) return errored(err);
          continue;
        }
        if (last !== undefined && compare(last, cond.op, cond.value)) {
          const at = Date.now();
          ctx.timeline.add(
            'fire',
            'observe',
            `PromQL holds: ${cond.expr} ${cond.op} ${cond.value}`,
            { value: last },
            at,
          );
          return pass(at, last);
        }
      } while (await nextPoll(deadline, signal, 500));
      if (lastError && samples === 0) return errored(new Error(lastError));
      const seen = last === undefined ? 'no series (empty result)' : `last value ${last}`;
      return fail(
        `${cond.expr} ${cond.op} ${cond.value} never held within ${formatMs(within)}: ${seen}`,
        last,
      );
    },
  };
}
