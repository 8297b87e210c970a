import { check } from 'k6';
import type { RefinedParams, RefinedResponse, ResponseType } from 'k6/http';
import { type Flow, runId } from './env.ts';

const RUN_ID = runId();
let sequence = 0;

/**
 * Unique per request and readable in a log line: run, flow, VU, iteration, then a per-VU counter.
 * Only `[A-Za-z0-9._:-]`, which is what the reference app accepts as an `X-Request-ID`.
 */
export function requestId(flow: Flow): string {
  sequence += 1;
  return `${RUN_ID}-${flow}-v${__VU}-i${__ITER}-${sequence}`;
}

export interface StepRef {
  flow: Flow;
  /** Tag value of the step (`login`, `list`, `create`, `upload`, `poll`, …). */
  step: string;
  /**
   * Route template for the `name` tag (`/api/items/:id`): one series per route in Prometheus
   * instead of one per item id.
   */
  route: string;
  token?: string | undefined;
}

/** Headers and tags every request carries; returns the request id with them for the checks. */
export function stepParams<RT extends ResponseType | undefined = undefined>(
  ref: StepRef,
  extra: { headers?: Record<string, string>; responseType?: RT } = {},
): { id: string; params: RefinedParams<RT> } {
  const id = requestId(ref.flow);
  const headers: Record<string, string> = { 'X-Request-ID': id, ...extra.headers };
  if (ref.token) headers.Authorization = `Bearer ${ref.token}`;
  const params = {
    headers,
    tags: { flow: ref.flow, step: ref.step, name: ref.route },
    ...(extra.responseType !== undefined ? { responseType: extra.responseType } : {}),
  } as RefinedParams<RT>;
  return { id, params };
}

/**
 * The checks every response gets: the expected status, and the request id echoed back (a proxy
 * that drops `X-Request-ID` breaks log correlation, which drills depend on).
 */
export function checkResponse<RT extends ResponseType | undefined>(
  res: RefinedResponse<RT>,
  ref: StepRef,
  id: string,
  expectStatus: number,
  more: Record<string, (r: RefinedResponse<RT>) => boolean> = {},
): boolean {
  return check(
    res,
    {
      [`${ref.step}: status ${expectStatus}`]: (r) => r.status === expectStatus,
      [`${ref.step}: echoes X-Request-ID`]: (r) => r.headers['X-Request-Id'] === id,
      ...more,
    },
    { flow: ref.flow, step: ref.step },
  );
}
