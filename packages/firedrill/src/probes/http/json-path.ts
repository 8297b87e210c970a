/**
 * The small JSONPath subset that assertions need: `$.user.name`, `items[0].id`, `items.length`,
 * `$['odd key']`. No filters or wildcards: an expectation names one value.
 */
export function parseJsonPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  const re = /^(?:\.?([A-Za-z_$][\w$-]*)|\.(\d+)|\[(\d+)\]|\[(['"])(.*?)\4\])/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) throw new Error(`invalid JSON path ${JSON.stringify(path)} at ${JSON.stringify(rest)}`);
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(Number(m[3]));
    else segments.push(m[5]!);
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** The value at `path`, or `undefined` when any segment is missing. */
export function getJsonPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const seg of parseJsonPath(path)) {
    if (cur === null || cur === undefined) return undefined;
    if (typeof cur === 'string' && seg === 'length') return cur.length;
    if (typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
