import { type Condition, primaryAlert } from '../drills/conditions.ts';
import type { PreflightInfo } from '../drills/preflight.ts';
import { alertFiresVerifier } from './alert-state.ts';
import { logsArriveVerifier } from './logs.ts';
import { promqlVerifier } from './promql.ts';
import { noSlackMessageVerifier, slackMessageVerifier } from './slack.ts';
import type { Verifier, VerifierContext } from './types.ts';

export type { Verifier, VerifierContext } from './types.ts';

/** One verifier per condition: the one list a new condition type is added to. */
export function buildVerifiers(
  conditions: readonly Condition[],
  ctx: VerifierContext,
  info: PreflightInfo | undefined,
  defaultAlert = primaryAlert(conditions),
): Verifier[] {
  return conditions.map((c): Verifier => {
    switch (c.type) {
      case 'alertFires':
        return alertFiresVerifier(c, ctx, info?.rules.get(c.alert)?.forMs ?? 0);
      case 'slackMessage':
        return slackMessageVerifier(
          { ...c, ...((c.alert ?? defaultAlert) ? { alert: c.alert ?? defaultAlert } : {}) },
          ctx,
        );
      case 'noSlackMessage':
        return noSlackMessageVerifier(
          { ...c, ...((c.alert ?? defaultAlert) ? { alert: c.alert ?? defaultAlert } : {}) },
          ctx,
        );
      case 'logsArrive':
        return logsArriveVerifier(c, ctx);
      default:
        return promqlVerifier(c, ctx);
    }
  });
}
