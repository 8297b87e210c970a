/**
 * A value as an error message quotes it: short, and never throwing — user files can hold
 * anything (a bigint, a circular object, a Promise someone forgot to await).
 */
export function show(x: unknown): string {
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'bigint') return `${x}n (a bigint)`;
  if (typeof x === 'symbol') return 'a symbol';
  if (Array.isArray(x)) return 'an array';
  if (x === null) return 'null';
  if (x instanceof Promise) return 'a Promise (a missing await?)';
  if (typeof x === 'object') return 'an object';
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
