import { getJsonPath } from './json-path.ts';
import { mismatch, show, type ValueExpectation } from './matchers.ts';

/** What a response must look like; every unmet line is reported, not just the first. */
export interface ResponseExpectations {
  /** One code, a list, or a class like `'2xx'`. */
  status?: number | number[] | `${1 | 2 | 3 | 4 | 5}xx`;
  /** Header name (any case) → expected value; `absent()` for must-not-be-set. */
  headers?: Record<string, ValueExpectation>;
  /** JSON path (`$.user.name`, `items[0].id`, `items.length`) → expected value. */
  json?: Record<string, ValueExpectation>;
  /** Substring(s) the body text must contain. */
  bodyContains?: string | string[];
  bodyMatches?: RegExp;
  /** Upper bound on the whole request, redirects included. */
  maxDurationMs?: number;
}

/** The subset of a response the checks read, so they can be tested without a server. */
export interface CheckedResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  text(): string;
  timings: { total: number };
}

/** An unmet expectation: ErrorInfo.type 'assertion', a run status of `fail` rather than `error`. */
export class AssertionError extends Error {
  override name = 'AssertionError';
  readonly type = 'assertion';
  constructor(
    message: string,
    readonly failures: string[] = [message],
  ) {
    super(message);
  }
}

/** Every unmet expectation as one sentence each: `expected status 201, got 500`. */
export function checkResponse(res: CheckedResponse, exp: ResponseExpectations): string[] {
  const failures: string[] = [];
  if (exp.status !== undefined && !statusMatches(exp.status, res.status)) {
    const want = Array.isArray(exp.status) ? `one of ${exp.status.join(', ')}` : String(exp.status);
    failures.push(`expected status ${want}, got ${res.status}`);
  }
  for (const [name, want] of Object.entries(exp.headers ?? {})) {
    const actual = res.headers[name.toLowerCase()];
    const miss = mismatch(want, actual);
    if (miss) failures.push(`expected header ${name.toLowerCase()} ${miss}, got ${show(actual)}`);
  }
  if (exp.json) {
    let doc: unknown;
    let parsed = true;
    try {
      doc = JSON.parse(res.text());
    } catch (err) {
      parsed = false;
      failures.push(`expected a JSON body, got ${show(res.text(), 80)} (${(err as Error).message})`);
    }
    if (parsed) {
      for (const [path, want] of Object.entries(exp.json)) {
        const actual = getJsonPath(doc, path);
        const miss = mismatch(want, actual);
        if (miss) failures.push(`expected json ${path} ${miss}, got ${show(actual)}`);
      }
    }
  }
  const needles = exp.bodyContains === undefined ? [] : [exp.bodyContains].flat();
  for (const needle of needles) {
    if (!res.text().includes(needle)) {
      failures.push(`expected body to contain ${show(needle)}, got ${show(res.text(), 80)}`);
    }
  }
  if (exp.bodyMatches && !exp.bodyMatches.test(res.text())) {
    failures.push(`expected body to match ${String(exp.bodyMatches)}, got ${show(res.text(), 80)}`);
  }
  if (exp.maxDurationMs !== undefined && res.timings.total > exp.maxDurationMs) {
    failures.push(
      `expected duration at most ${exp.maxDurationMs} ms, got ${res.timings.total.toFixed(1)} ms`,
    );
  }
  return failures;
}

/** Throws one `AssertionError` naming the request and every unmet expectation. */
export function assertResponse(res: CheckedResponse, exp: ResponseExpectations): void {
  const failures = checkResponse(res, exp);
  if (failures.length === 0) return;
  throw new AssertionError(`${res.method} ${res.url}: ${failures.join('; ')}`, failures);
}

function statusMatches(want: NonNullable<ResponseExpectations['status']>, got: number): boolean {
  if (typeof want === 'number') return want === got;
  if (Array.isArray(want)) return want.includes(got);
  return Math.floor(got / 100) === Number(want[0]);
}
