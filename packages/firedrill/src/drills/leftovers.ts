import { SetupError } from '../core/errors.ts';
import { activeAppFaults } from '../faults/app-fault.ts';
import type { FaultContext } from '../faults/types.ts';
import { listJournals } from './journal.ts';
import type { DrillPlan } from './plan.ts';

/** Faults a drill did not inject may still be in effect: the drill would measure them, not its own. */
export class LeftoverFaultError extends SetupError {
  override name = 'LeftoverFaultError';
  override readonly type = 'leftover-fault';
}

/**
 * Before preflight: a journal of a run that died (kill -9, a lost machine) on this environment
 * means its faults may still be injected; an app fault that no running drill journalled was
 * injected by someone else. Either way `firedrill rollback` (or the fault's TTL) comes first.
 */
export async function findLeftovers(
  stateDir: string,
  environment: string,
  drill: DrillPlan,
  fctx: FaultContext,
): Promise<void> {
  const journals = (await listJournals(stateDir)).filter(
    (j) =>
      !j.ownerRunning &&
      j.record?.runId !== fctx.runId &&
      (j.record?.environment ?? environment) === environment,
  );
  if (journals.length) {
    const what = journals
      .map((j) =>
        j.record
          ? `${j.record.drillId} (run ${j.record.runId}, pid ${j.record.pid}, since ${j.record.startedAt}: ${j.record.faults.map((f) => f.description).join(', ')})`
          : `${j.file} (unreadable: ${j.unreadable})`,
      )
      .join('; ');
    throw new LeftoverFaultError(
      `a drill that is no longer running left its faults journalled on ${environment}, and they may still be in effect: ${what}. Run \`firedrill rollback --env ${environment}\` first`,
    );
  }
  if (!drill.faults.some((f) => f.type === 'app') || !(fctx.target.faultToken || fctx.target.faultEndpoint))
    return;
  const active = await activeAppFaults(fctx).catch(() => undefined);
  if (active?.length) {
    throw new LeftoverFaultError(
      `the app at ${fctx.target.baseUrl} already has ${active.length} fault${active.length > 1 ? 's' : ''} in effect that this drill did not inject: ${active.map((f) => `${f.kind} ${f.id} until ${f.expiresAt}`).join(', ')}. Clear them (\`firedrill rollback --env ${environment}\` or DELETE /__faults) or wait for their TTL`,
    );
  }
}
