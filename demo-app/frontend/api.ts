import { newId } from './ids.ts';
import { logger, serializeError } from './logger.ts';

/** An API answer that was not 2xx, with the API's error code and the request id to look it up by. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string,
  ) {
    super(message);
  }
}

const log = logger.child({ module: 'api' });

/**
 * `fetch` for the app's JSON API: sends a fresh `X-Request-ID` and logs the outcome with it, so
 * a browser log line, the backend's access log and a probe's step can all be joined on one id.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const requestId = newId();
  const headers: Record<string, string> = { 'x-request-id': requestId, accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const fields = { event: 'api_request', method, path: path.split('?')[0], request_id: requestId };
  log.debug(fields, `api request ${method} ${fields.path}`);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    const duration_ms = Math.round(performance.now() - started);
    log.error(
      { ...fields, event: 'api_response', duration_ms, err: serializeError(err) },
      `api network error ${method} ${fields.path}`,
    );
    throw new ApiError(0, 'network_error', 'the server could not be reached', requestId);
  }
  const duration_ms = Math.round(performance.now() - started);
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  const outcome = { ...fields, event: 'api_response', status_code: response.status, duration_ms };
  if (response.ok) {
    log.info(outcome, `api ${method} ${fields.path} ${response.status}`);
    return data as T;
  }
  const error = (data ?? {}) as { error?: string; message?: string };
  const code = error.error ?? 'http_error';
  const level = response.status >= 500 ? 'error' : 'warn';
  log[level]({ ...outcome, error: code }, `api ${method} ${fields.path} ${response.status} ${code}`);
  throw new ApiError(
    response.status,
    code,
    error.message ?? `request failed with ${response.status}`,
    requestId,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A message fit for the page: the API's own text plus the request id a support person would ask for. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (request ${err.requestId})`;
  return err instanceof Error ? err.message : String(err);
}
