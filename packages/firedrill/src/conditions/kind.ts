import { z } from 'zod';
import type { ConditionData } from '../core/result.ts';
import type { Verifier, VerifierContext } from './types.ts';

export const labelMap = z.record(
  z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name'),
  z.string(),
);
export const channel = z
  .string()
  .regex(/^#?[a-z0-9._-]+$|^[CGD][A-Z0-9]{8,}$/, 'expected a channel like #alerts-critical');
export const alertName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected an alert name like HighApiErrorRate');

/** What a condition may take from the drill around it when it is planned. */
export interface DrillDefaults {
  /** The alert of the drill's first `alertFires`, or the alert a routing fault injects. */
  alert?: string | undefined;
}

/** What building a verifier may need from preflight. */
export interface VerifierInputs {
  /** The rule's `for`, in ms, as the live Prometheus has it (0 when unknown). */
  forMs(alert: string): number;
}

/**
 * A condition kind, self-contained in one file: its schema (which is also its type — the
 * author's input and the planned output, durations in ms) and its verifier, which says the
 * hop it proves. Registered once, in `CONDITION_KINDS`.
 */
export interface ConditionKind<
  T extends string = string,
  S extends z.ZodType<ConditionData & { type: T }> = z.ZodType<ConditionData & { type: T }>,
> {
  type: T;
  schema: S;
  /** Fills what the condition leaves to the drill (the Slack conditions' alert). */
  withDefaults?(plan: z.output<S>, d: DrillDefaults): z.output<S>;
  /** A problem the condition has in its drill, found at load time (path under the condition). */
  check?(plan: z.output<S>, d: DrillDefaults): { path: string[]; message: string } | undefined;
  verifier(plan: z.output<S>, ctx: VerifierContext, inputs: VerifierInputs): Verifier<z.output<S>>;
}

/** Keeps the literal types of a kind while checking it is one. */
export function defineConditionKind<T extends string, S extends z.ZodType<ConditionData & { type: T }>>(
  kind: ConditionKind<T, S>,
): ConditionKind<T, S> {
  return kind;
}
