import { isSecretKey } from './logging.ts';
import type { SuspiciousReason } from './metrics.ts';

/**
 * Cheap signatures of the attacks a scanner or a drill's "bad traffic" sends. Not a WAF: the app
 * uses bound parameters and escapes output anyway; this exists so such traffic is rejected,
 * counted (`suspicious_requests_total{reason}`) and logged where an alert can see it.
 */
export interface Finding {
  reason: SuspiciousReason;
  /** Where it was seen: `path`, `query.<name>` or `body.<path>`. */
  field: string;
  /** The offending value, shortened for the log. */
  sample: string;
}

const TRAVERSAL = /(^|[\\/])\.\.([\\/]|$)/;
const SQL_INJECTION = [
  // ' or 1=1   ' OR 'a'='a   admin' and x=x
  /'\s*(or|and)\s+('[^']*'|\d+|\w+)\s*(=|<|>|like\b)\s*('|\d|\w)/i,
  // 1 or 1=1 without a quote
  /\b(or|and)\s+(\d+)\s*=\s*\2\b/i,
  /\bunion\b(\s+all)?\s+select\b/i,
  /;\s*(drop|truncate|alter)\s+table\b/i,
  // admin'--   closing a string then commenting the rest of the query out
  /'\s*(--|\/\*)/,
];
const SCRIPT_INJECTION = [/<\s*script\b/i, /<[^>]*\bon[a-z]+\s*=/i];

const MAX_STRINGS = 1000;
const MAX_DEPTH = 6;

/** Decodes up to three times: `%252e%252e` is `%2e%2e` is `..` to a server that decodes twice. */
function decodeRepeatedly(value: string): string {
  let current = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

const shorten = (value: string) => (value.length > 120 ? `${value.slice(0, 117)}...` : value);

function inspectString(value: string, field: string, checkTraversal: boolean): Finding | undefined {
  if (checkTraversal && TRAVERSAL.test(value))
    return { reason: 'path_traversal', field, sample: shorten(value) };
  if (SQL_INJECTION.some((re) => re.test(value)))
    return { reason: 'sql_injection', field, sample: shorten(value) };
  if (SCRIPT_INJECTION.some((re) => re.test(value))) {
    return { reason: 'script_injection', field, sample: shorten(value) };
  }
  return undefined;
}

/** Looks at the raw request target (path and query), as sent, before any router normalised it. */
export function inspectUrl(rawUrl: string): Finding | undefined {
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  // `%2e%2e` is flagged even where decoding fails on some other malformed escape.
  if (/%2e%2e|\.%2e|%2e\./i.test(rawPath))
    return { reason: 'path_traversal', field: 'path', sample: shorten(rawPath) };
  const pathFinding = inspectString(decodeRepeatedly(rawPath), 'path', true);
  if (pathFinding) return pathFinding;
  if (queryAt === -1) return undefined;
  for (const [name, value] of new URLSearchParams(rawUrl.slice(queryAt + 1))) {
    if (isSecretKey(name)) continue;
    const finding = inspectString(decodeRepeatedly(value), `query.${name}`, true);
    if (finding) return finding;
  }
  return undefined;
}

/**
 * Walks a parsed JSON body. Path traversal is not looked for here: free text like "see ../notes"
 * is ordinary in an item body. Secret fields are skipped: a password may contain anything, is
 * only ever hashed, and must not be echoed into a log sample.
 */
export function inspectBody(body: unknown): Finding | undefined {
  let budget = MAX_STRINGS;
  const walk = (value: unknown, field: string, depth: number): Finding | undefined => {
    if (budget <= 0 || depth > MAX_DEPTH) return undefined;
    if (typeof value === 'string') {
      budget--;
      return inspectString(value, field, false);
    }
    if (value === null || typeof value !== 'object') return undefined;
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [key, child] of entries) {
      if (isSecretKey(key)) continue;
      const finding = walk(child, `${field}.${key}`, depth + 1);
      if (finding) return finding;
    }
    return undefined;
  };
  return walk(body, 'body', 0);
}

export const REASON_MESSAGES: Record<SuspiciousReason, string> = {
  path_traversal: 'request rejected: path traversal',
  sql_injection: 'request rejected: SQL injection pattern',
  script_injection: 'request rejected: script injection pattern',
};
