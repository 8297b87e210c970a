import { z } from 'zod';
import { appFaultKind } from './app-fault.ts';
import { badTrafficKind } from './bad-traffic.ts';
import { grafanaTestNotificationKind } from './grafana-test-notification.ts';
import { injectAlertKind } from './inject-alert.ts';
import type { FaultKind } from './kind.ts';
import { shellKind } from './shell.ts';
import { toxiproxyKind } from './toxiproxy.ts';
import type { Fault, FaultTarget } from './types.ts';

export { type AppFaultKind, type AppFaultSpec, appFault, type RestartSpec } from './app-fault.ts';
export { type BadTrafficSpec, badTraffic } from './bad-traffic.ts';
export { type GrafanaTestNotificationSpec, grafanaTestNotification } from './grafana-test-notification.ts';
export { type InjectAlertSpec, injectAlert } from './inject-alert.ts';
export { type ShellFaultSpec, shell } from './shell.ts';
export { type ToxicSpec, type ToxiproxyFaultSpec, toxiproxy } from './toxiproxy.ts';
export type * from './types.ts';

/**
 * The one list of fault kinds: a new kind is one file (schema, type, builder, inject and
 * rollback) and one line here. The schema, the types and the error text all come from it.
 */
const KINDS = [
  appFaultKind,
  badTrafficKind,
  shellKind,
  toxiproxyKind,
  injectAlertKind,
  grafanaTestNotificationKind,
] as const;

type SchemaOf<K> = K extends { schema: infer S } ? S : never;
// Generic, so the mapping keeps the tuple (a concrete mapped type would widen it to an array).
type SchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: SchemaOf<T[I]> };

const builders = KINDS.map((k) => k.builder);

export const faultSchema = z.discriminatedUnion(
  'type',
  KINDS.map((k) => k.schema) as unknown as SchemasOf<typeof KINDS>,
  { error: () => `expected a fault built by ${builders.slice(0, -1).join(', ')} or ${builders.at(-1)}` },
);

/** A fault as a drill file writes it. */
export type FaultSpec = z.input<typeof faultSchema>;
/** A fault as the drill applies it: durations in ms. Also what the rollback journal keeps. */
export type FaultPlan = z.output<typeof faultSchema>;

type AnyKind = {
  create(spec: FaultSpec): Fault;
  routingAlert?(spec: FaultPlan): string;
  lockTarget?(spec: FaultPlan, target: FaultTarget): string;
};
const byType = new Map<string, AnyKind>(KINDS.map((k) => [k.type, k as unknown as AnyKind]));

function kindOf(spec: { type: unknown }): AnyKind {
  const kind = byType.get(spec.type as string);
  if (!kind) throw new Error(`unknown fault type ${JSON.stringify(spec.type)}`);
  return kind;
}

/** A fault object for a spec: a drill's plan, or one read back from a rollback journal. */
export function createFault(spec: FaultSpec): Fault {
  return kindOf(spec).create(spec);
}

/** Routing-only: the alert the drill's faults send, when they send one instead of breaking the app. */
export function routingAlertOf(faults: readonly FaultPlan[]): string | undefined {
  for (const f of faults) {
    const alert = kindOf(f).routingAlert?.(f);
    if (alert) return alert;
  }
  return undefined;
}

export const isRoutingFault = (f: FaultPlan): boolean => kindOf(f).routingAlert !== undefined;

/** What the fault acts on, for the lock two drills must not share: the app unless its kind says. */
export function lockTargetOf(f: FaultPlan, target: FaultTarget): string {
  return kindOf(f).lockTarget?.(f, target) ?? target.baseUrl;
}

export type { FaultKind };
