import type { Timeline } from '../core/timeline.ts';
import type { Fault, FaultContext, InjectedFault } from '../faults/types.ts';

export interface AppliedFault {
  fault: Fault;
  /** Absent when the inject call had started but not answered. */
  injected?: InjectedFault;
}

export interface RollbackReport {
  ok: boolean;
  errors: string[];
  cleared: number;
  /** One per fault, in rollback (reverse) order. */
  outcomes: { description: string; cleared: boolean; detail?: string; error?: string }[];
}

/**
 * Undoes faults in reverse order. Each rollback runs whatever happened to the others: one failed
 * rollback must not leave the rest injected. Retries once, since the likeliest failure is the
 * target being briefly busy (a crashed app restarting).
 */
export async function rollbackFaults(
  applied: readonly AppliedFault[],
  ctx: FaultContext,
  timeline?: Timeline,
): Promise<RollbackReport> {
  const errors: string[] = [];
  const outcomes: RollbackReport['outcomes'] = [];
  let cleared = 0;
  for (const a of [...applied].reverse()) {
    let lastErr: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const out = await a.fault.rollback(ctx, a.injected);
        if (out.cleared) cleared++;
        outcomes.push({
          description: a.fault.describe(),
          cleared: out.cleared,
          ...(out.detail ? { detail: out.detail } : {}),
        });
        timeline?.add('rollback', 'rollback', `rolled back: ${a.fault.describe()}`, {
          cleared: out.cleared,
          detail: out.detail,
        });
        lastErr = undefined;
        break;
      } catch (err) {
        lastErr = err;
        if (attempt === 0) await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (lastErr !== undefined) {
      const msg = `${a.fault.describe()}: ${(lastErr as Error).message}`;
      errors.push(msg);
      outcomes.push({ description: a.fault.describe(), cleared: false, error: (lastErr as Error).message });
      timeline?.add('rollback', 'rollback', 'rollback failed', {
        fault: a.fault.describe(),
        error: (lastErr as Error).message,
      });
    }
  }
  return { ok: errors.length === 0, errors, cleared, outcomes };
}
