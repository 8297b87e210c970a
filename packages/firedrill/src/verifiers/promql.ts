import { formatMs, parseDuration } from '../core/duration.ts';
import type { ConditionResult } from '../core/result.ts';
import type { PromqlCondition, PromqlOp } from '../drills/conditions.ts';
import { errored, fail, nextPoll, pass, type Verifier, type VerifierContext } from './types.ts';

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
export function promqlVerifier(cond: PromqlCondition, ctx: VerifierContext): Verifier {
  const within = parseDuration(cond.within);
  const condition: ConditionResult['condition'] = { ...cond, within };
  return {
    condition,
    async wait(deadline, signal) {
      if (!ctx.prometheus) return errored(condition, new Error('the environment has no prometheusUrl'));
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
          if (/bad_data/.test(lastError)) return errored(condition, err);
          continue;
        }
        if (last !== undefined && compare(last, cond.op, cond.value)) {
          const at = Date.now();
          ctx.timeline.add(
            'observe',
            `PromQL holds: ${cond.expr} ${cond.op} ${cond.value}`,
            { value: last },
            at,
          );
          return pass(condition, at, last);
        }
      } while (await nextPoll(deadline, signal, 500));
      if (lastError && samples === 0) return errored(condition, new Error(lastError));
      const seen = last === undefined ? 'no series (empty result)' : `last value ${last}`;
      return fail(
        condition,
        `${cond.expr} ${cond.op} ${cond.value} never held within ${formatMs(within)}: ${seen}`,
        last,
      );
    },
  };
}
