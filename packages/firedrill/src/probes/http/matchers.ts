/**
 * Value conditions as plain data (gatus-style), so an expectation can be printed, stored and
 * compared: `{ $match: 'above', value: 0 }` rather than an opaque predicate.
 */
export type Matcher =
  | { $match: 'exists' }
  | { $match: 'absent' }
  | { $match: 'type'; value: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null' }
  | { $match: 'above'; value: number }
  | { $match: 'below'; value: number }
  | { $match: 'atLeast'; value: number }
  | { $match: 'atMost'; value: number }
  | { $match: 'oneOf'; value: unknown[] }
  | { $match: 'matches'; value: string; flags: string }
  | { $match: 'length'; value: number }
  | { $match: 'nonEmpty' };

/** A literal (deep equality), a RegExp (tested against strings) or a `Matcher`. */
export type ValueExpectation = Matcher | RegExp | string | number | boolean | null | unknown[] | object;

export const exists = (): Matcher => ({ $match: 'exists' });
export const absent = (): Matcher => ({ $match: 'absent' });
export const isType = (value: Extract<Matcher, { $match: 'type' }>['value']): Matcher => ({
  $match: 'type',
  value,
});
export const above = (value: number): Matcher => ({ $match: 'above', value });
export const below = (value: number): Matcher => ({ $match: 'below', value });
export const atLeast = (value: number): Matcher => ({ $match: 'atLeast', value });
export const atMost = (value: number): Matcher => ({ $match: 'atMost', value });
export const oneOf = (value: unknown[]): Matcher => ({ $match: 'oneOf', value });
export const matches = (re: RegExp): Matcher => ({ $match: 'matches', value: re.source, flags: re.flags });
export const hasLength = (value: number): Matcher => ({ $match: 'length', value });
export const nonEmpty = (): Matcher => ({ $match: 'nonEmpty' });

export function isMatcher(x: unknown): x is Matcher {
  return typeof x === 'object' && x !== null && typeof (x as { $match?: unknown }).$match === 'string';
}

/** `undefined` when `actual` meets the expectation, else the expectation in words ("to be above 0"). */
export function mismatch(expected: ValueExpectation, actual: unknown): string | undefined {
  if (expected instanceof RegExp) {
    return typeof actual === 'string' && expected.test(actual) ? undefined : `to match ${String(expected)}`;
  }
  if (!isMatcher(expected)) return deepEqual(expected, actual) ? undefined : `to equal ${show(expected)}`;
  const m = expected;
  switch (m.$match) {
    case 'exists':
      return actual === undefined ? 'to exist' : undefined;
    case 'absent':
      return actual === undefined ? undefined : 'to be absent';
    case 'type':
      return typeOf(actual) === m.value ? undefined : `to be of type ${m.value}`;
    case 'above':
      return typeof actual === 'number' && actual > m.value ? undefined : `to be above ${m.value}`;
    case 'below':
      return typeof actual === 'number' && actual < m.value ? undefined : `to be below ${m.value}`;
    case 'atLeast':
      return typeof actual === 'number' && actual >= m.value ? undefined : `to be at least ${m.value}`;
    case 'atMost':
      return typeof actual === 'number' && actual <= m.value ? undefined : `to be at most ${m.value}`;
    case 'oneOf':
      return m.value.some((v) => deepEqual(v, actual)) ? undefined : `to be one of ${show(m.value)}`;
    case 'matches':
      return typeof actual === 'string' && new RegExp(m.value, m.flags).test(actual)
        ? undefined
        : `to match /${m.value}/${m.flags}`;
    case 'length':
      return lengthOf(actual) === m.value ? undefined : `to have length ${m.value}`;
    case 'nonEmpty':
      return (lengthOf(actual) ?? 0) > 0 ? undefined : 'to be non-empty';
  }
}

function lengthOf(x: unknown): number | undefined {
  if (typeof x === 'string' || Array.isArray(x)) return x.length;
  if (typeof x === 'object' && x !== null) return Object.keys(x).length;
  return undefined;
}

function typeOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  return typeof x;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Short, JSON-like rendering for messages; long values are cut so one failure stays one line. */
export function show(x: unknown, max = 120): string {
  if (x === undefined) return 'undefined';
  if (x instanceof RegExp) return String(x);
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
