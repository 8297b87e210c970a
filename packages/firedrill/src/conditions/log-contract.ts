import { nearestName } from '../core/nearest.ts';
import type { LogSchema } from '../log-schemas/validate.ts';

export type LogMatchValue = string | number | boolean;

/** Fields entries must carry when they match `when` (e.g. `user_id` on requests with a session). */
export interface FieldRule {
  when: Record<string, LogMatchValue>;
  fields: string[];
}

export interface ContractFinding {
  problem: string;
  entries: number;
}

/**
 * What a JSON Schema alone lets through: a field required only for some entries (the schema
 * keeps `user_id` optional, since anonymous requests have none), and fields the schema does not
 * know at all (a rename, `user_id` → `userId`, passes a schema that allows extra fields).
 */
export function contractFindings(
  entries: readonly Record<string, unknown>[],
  rules: readonly FieldRule[],
  schema: LogSchema | undefined,
): { missing: ContractFinding[]; unknown: ContractFinding[] } {
  const missing = new Map<string, number>();
  for (const rule of rules) {
    const applies = entries.filter((e) => Object.entries(rule.when).every(([k, v]) => e[k] === v));
    const when = Object.entries(rule.when)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ');
    for (const field of rule.fields) {
      const n = applies.filter((e) => e[field] === undefined || e[field] === null).length;
      if (n > 0)
        missing.set(
          `/${field}: required where ${when}, missing in ${n} of ${applies.length} such entries`,
          n,
        );
    }
  }
  const known = schema ? declaredFields(schema.schema) : undefined;
  const unknown = new Map<string, number>();
  if (known) {
    for (const e of entries) {
      for (const field of Object.keys(e)) {
        if (known.has(field)) continue;
        const meant =
          nearestName(field, known) ??
          nearestName(
            field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
            known,
          );
        const key = `/${field}: not in schema ${schema!.name.replace(/.*\//, '')}${meant ? ` (did you mean ${meant}?)` : ''}`;
        unknown.set(key, (unknown.get(key) ?? 0) + 1);
      }
    }
  }
  const list = (m: Map<string, number>, total?: number) =>
    [...m].map(([problem, n]) => ({
      problem: total === undefined ? problem : `${problem} in ${n} of ${total}`,
      entries: n,
    }));
  return { missing: list(missing), unknown: list(unknown, entries.length) };
}

/** Top-level property names a schema declares; shippers' own fields (`@timestamp`, …) count as known. */
function declaredFields(schema: Record<string, unknown>): Set<string> {
  const out = new Set(['@timestamp', '@version', 'host', 'log', 'event.original', 'tags']);
  const walk = (s: unknown) => {
    if (!s || typeof s !== 'object') return;
    const o = s as Record<string, unknown>;
    for (const k of Object.keys((o.properties as object) ?? {})) out.add(k);
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const sub of (o[key] as unknown[]) ?? []) walk(sub);
    walk(o.then);
    walk(o.else);
  };
  walk(schema);
  return out;
}
