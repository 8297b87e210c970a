import fc from 'fast-check';

/**
 * Inputs shared by the property tests: values a definition or a body may hold, and mutations of
 * a valid value. Mutating a valid value reaches deep into a schema, where random values stop at
 * the first wrong top-level type.
 */

// Keys that trip code treating a plain object as a map (`obj[key] ??= …`, `key in obj`).
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
);

const hugeString = fc
  .constantFrom(10_000, 200_000)
  .chain((n) => fc.constantFrom('x', 'é', '\u0000', '{', '%').map((c) => c.repeat(n)));

/** Strings that look like what the fields hold, wrong in the ways authors get them wrong. */
export const lookalikeString: fc.Arbitrary<string> = fc.constantFrom(
  '',
  ' ',
  'localhost:8080',
  'http://',
  'http://localhost:8080',
  'https://[::1]:9090/x',
  'ftp://example.com',
  'javascript:alert(1)',
  'http://exa mple.com',
  '//no-scheme',
  '30s',
  '1m30s',
  'soon',
  '-1',
  '*/5 * * * *',
  '* * *',
  '#alerts-critical',
  'alerts critical',
  'NaN',
  'null',
  '{"a":',
);

/** JSON values, with the strings above mixed in. */
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 20 }),
    lookalikeString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keyArb, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Anything a TypeScript module may export, beyond JSON: functions, bigints, symbols, class instances. */
export const jsValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: jsonish },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      () => {},
      async () => {},
      Symbol('s'),
      new Date(0),
      new Date(Number.NaN),
      new Map([['a', 1]]),
      new Set([1]),
      /re/,
      new Uint8Array(2),
      Object.create(null),
    ),
  },
  { weight: 1, arbitrary: hugeString },
);

type Path = (string | number)[];

/** Every path in a value, the root included, through plain objects and arrays only. */
export function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...at, i]));
  } else if (isPlainObject(value))
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

export type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'rename'; at: number; key: string }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'add'; at: number; key: string; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), key: keyArb }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: jsValue }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: keyArb, value: jsValue }),
);

/** 1–4 mutations of `base`, each at a path of the value as mutated so far. */
export function mutationsOf(base: unknown): fc.Arbitrary<unknown> {
  return fc
    .array(mutationArb, { minLength: 1, maxLength: 4 })
    .map((ms) => ms.reduce((v, m) => mutate(v, m), cloneKeepingFunctions(base)));
}

export function mutate(value: unknown, m: Mutation): unknown {
  const paths = pathsOf(value);
  const path = paths[m.at % paths.length]!;
  if (path.length === 0) {
    if (m.op === 'replace') return m.value;
    if (m.op === 'add' && isPlainObject(value)) return define({ ...value }, m.key, m.value);
    return value;
  }
  const parent = get(value, path.slice(0, -1));
  const last = path.at(-1)!;
  if (Array.isArray(parent) && typeof last === 'number') {
    if (m.op === 'drop') parent.splice(last, 1);
    else if (m.op === 'replace') parent[last] = m.value;
    else if (m.op === 'add') parent.push(m.value);
    return value;
  }
  if (!isPlainObject(parent)) return value;
  const key = String(last);
  if (m.op === 'drop') delete parent[key];
  else if (m.op === 'replace') define(parent, key, m.value);
  else if (m.op === 'add') {
    const target = parent[key];
    if (isPlainObject(target)) define(target, m.key, m.value);
    else define(parent, m.key, m.value);
  } else {
    const v = parent[key];
    delete parent[key];
    define(parent, m.key, v);
  }
  return value;
}

// `obj[key] = v` with key "__proto__" sets the prototype; a parsed JSON body or a computed key
// makes an own property, which is what the code under test meets.
function define(obj: Record<string, unknown>, key: string, v: unknown): Record<string, unknown> {
  Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
  return obj;
}

function get(value: unknown, path: Path): unknown {
  let v = value;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** structuredClone drops functions; a probe's `run` must survive the copy. */
export function cloneKeepingFunctions<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneKeepingFunctions) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) define(out, k, cloneKeepingFunctions(x));
    return out as T;
  }
  return v;
}

/** Messages that mean the code crashed on the input instead of judging it. */
export const CRASH_MESSAGE =
  /Cannot read propert|Cannot convert|is not a function|is not iterable|is not an object|\[object Object\]|Maximum call stack|Do not know how to serialize|circular structure/;

/**
 * Bounded runs: a property stops after `numRuns` or `timeLimitMs`, whichever comes first, so a
 * loaded CI machine gets fewer runs rather than a timeout.
 */
export function bounded<T>(numRuns: number, timeLimitMs = 4000): fc.Parameters<T> {
  return { numRuns, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false };
}
