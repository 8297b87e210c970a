import type { z } from 'zod';
import type { Fault, FaultTarget } from './types.ts';

/**
 * A fault kind, self-contained in one file: its schema (which is also its type — the author's
 * input and the planned output, durations in ms), its builder's name for error messages, and how
 * it is applied. Registered once, in `FAULT_KINDS`.
 */
export interface FaultKind<
  T extends string = string,
  S extends z.ZodType<{ type: T }> = z.ZodType<{ type: T }>,
> {
  type: T;
  /** The function a drill file builds it with (`appFault`), named in "expected a fault built by …". */
  builder: string;
  schema: S;
  /** A fault for a spec: a drill's plan, or one read back from a rollback journal. */
  create(spec: z.input<S>): Fault;
  /** Routing-only faults (nothing in the app breaks): the alert they send. */
  routingAlert?(spec: z.output<S>): string;
  /** What two drills must not inject into at once, when it is not the app itself. */
  lockTarget?(spec: z.output<S>, target: FaultTarget): string;
}

/** Keeps the literal types of a kind while checking it is one. */
export function defineFaultKind<T extends string, S extends z.ZodType<{ type: T }>>(
  kind: FaultKind<T, S>,
): FaultKind<T, S> {
  return kind;
}
