import { z } from 'zod';
import type { ConditionResult } from '../core/result.ts';
import { alertFiresKind } from './alert-fires.ts';
import type { DrillDefaults, VerifierInputs } from './kind.ts';
import { logsArriveKind } from './logs-arrive.ts';
import { noSlackMessageKind } from './no-slack-message.ts';
import { promqlKind } from './promql.ts';
import { slackMessageKind } from './slack-message.ts';
import type { Verifier, VerifierContext } from './types.ts';

export { type AlertFiresCondition, type AlertSource, alertFires } from './alert-fires.ts';
export type { DrillDefaults, VerifierInputs } from './kind.ts';
export { type LogMatchValue, type LogsArriveCondition, logsArrive } from './logs-arrive.ts';
export { type NoSlackMessageCondition, noSlackMessage } from './no-slack-message.ts';
export { type PromqlCondition, type PromqlOp, promql } from './promql.ts';
export { type SlackMessageCondition, slackMessage } from './slack-message.ts';
export { settle, type Verifier, type VerifierContext } from './types.ts';

/**
 * The one list of condition kinds: a new kind is one file (schema, type, builder, verifier)
 * and one line here. The schema, the types and the builders' names all come from it.
 */
const KINDS = [alertFiresKind, slackMessageKind, noSlackMessageKind, logsArriveKind, promqlKind] as const;

type Kinds = typeof KINDS;
type SchemaOf<K> = K extends { schema: infer S } ? S : never;
// Generic, so the mapping keeps the tuple (a concrete mapped type would widen it to an array).
type SchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: SchemaOf<T[I]> };
type Schemas = SchemasOf<Kinds>;

export const CONDITION_TYPES = KINDS.map((k) => k.type);

export const conditionSchema = z.discriminatedUnion(
  'type',
  KINDS.map((k) => k.schema) as unknown as Schemas,
  {
    error: () =>
      `expected a condition built by ${CONDITION_TYPES.slice(0, -1).join(', ')} or ${CONDITION_TYPES.at(-1)}`,
  },
);

/** A condition as a drill file writes it. */
export type Condition = z.input<typeof conditionSchema>;
/** A condition as the drill runs it: durations in ms, defaults from the drill filled in. */
export type ConditionPlan = z.output<typeof conditionSchema>;
/** A condition's result, with its planned condition typed. */
export type DrillConditionResult = ConditionResult<ConditionPlan>;

type AnyKind = {
  withDefaults?(plan: ConditionPlan, d: DrillDefaults): ConditionPlan;
  check?(plan: ConditionPlan, d: DrillDefaults): { path: string[]; message: string } | undefined;
  verifier(plan: ConditionPlan, ctx: VerifierContext, inputs: VerifierInputs): Verifier;
};
const byType = new Map<string, AnyKind>(KINDS.map((k) => [k.type, k as unknown as AnyKind]));
const kindOf = (plan: ConditionPlan) => byType.get(plan.type)!;

/** The planned condition with what it takes from its drill filled in. */
export function planCondition(plan: ConditionPlan, d: DrillDefaults): ConditionPlan {
  return kindOf(plan).withDefaults?.(plan, d) ?? plan;
}

/** A problem a condition has within its drill (e.g. a Slack condition with no alert to name). */
export function conditionProblem(plan: ConditionPlan, d: DrillDefaults) {
  return kindOf(plan).check?.(plan, d);
}

export function buildVerifier(plan: ConditionPlan, ctx: VerifierContext, inputs: VerifierInputs): Verifier {
  return kindOf(plan).verifier(plan, ctx, inputs);
}

/** The alert named by a drill's first `alertFires`, which Slack conditions default to. */
export function primaryAlert(conditions: readonly (Condition | ConditionPlan)[]): string | undefined {
  for (const c of conditions) if (c.type === 'alertFires') return c.alert;
  return undefined;
}
