/**
 * Types shared by the monitoring clients (Prometheus, Alertmanager, Grafana, Elasticsearch),
 * and the one JSON request function that gives them their common errors and timeouts.
 */

import {
  type Backend,
  BackendAccessError,
  certificateErrorCode,
  type FetchLike,
} from '../connections/http.ts';

export type { FetchLike } from '../connections/http.ts';

/** What a client needs to reach its backend; `httpTarget(connection, …)` builds one from config. */
export interface HttpClientOptions {
  /** Base URL; a path prefix (e.g. Grafana under `/grafana`) is kept. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  /** Sent as HTTP basic auth. */
  basicAuth?: { username: string; password: string };
  /** Sent with every request: the connection's auth header and its extra headers. */
  headers?: Record<string, string>;
  /** Per request. @defaultValue 10000 */
  timeoutMs?: number;
  /** A fetch carrying the connection's TLS settings; injected in unit tests where the real server cannot run here (Grafana). */
  fetch?: FetchLike;
  /** Named in errors: a refused login or certificate says which backend and where it is configured. */
  backend?: Backend;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | readonly string[] | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** The server answered with a non-2xx status; the body is kept, cut short, for the message. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`${url}: HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
  }
}

/** The server could not be reached at all (refused, reset, DNS, timeout). */
export class HttpUnreachableError extends Error {
  override name = 'HttpUnreachableError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: unreachable: ${reason}`);
  }
}

export function buildUrl(baseUrl: string, path: string, query?: RequestOptions['query']): string {
  const u = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, item);
    else u.searchParams.set(k, String(v));
  }
  return u.toString();
}

function unnamed(url: string): Backend {
  return { name: new URL(url).host };
}

function causeText(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** One JSON request with a timeout that also honours the caller's abort signal. */
export async function requestJson<T>(
  opts: HttpClientOptions,
  path: string,
  req: RequestOptions = {},
): Promise<T> {
  const { url, status, text } = await requestText(opts, path, req);
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HttpStatusError(status, url, `not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * One request whose 2xx body is returned as text (`/metrics`, or JSON for `requestJson`). A 401/403
 * or a refused certificate is a `BackendAccessError` (a setup error naming the backend), anything
 * else non-2xx an `HttpStatusError`, no answer at all an `HttpUnreachableError`.
 */
export async function requestText(
  opts: HttpClientOptions,
  path: string,
  req: RequestOptions = {},
): Promise<{ url: string; status: number; text: string }> {
  const url = buildUrl(opts.baseUrl, path, req.query);
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers, ...req.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.basicAuth) {
    const pair = `${opts.basicAuth.username}:${opts.basicAuth.password}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      method: req.method ?? 'GET',
      headers,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal,
    });
  } catch (err) {
    // The caller's own abort is not the server's fault: let it propagate as an AbortError.
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    const cert = certificateErrorCode(err);
    if (cert) throw BackendAccessError.forCertificate(opts.backend ?? unnamed(url), url, cert);
    const reason = causeText(err);
    // TLS 1.3 sends a refused client certificate as an alert after the handshake: all that
    // reaches the client is a socket closed before any byte came back.
    const hint =
      reason === 'UND_ERR_SOCKET' && url.startsWith('https:')
        ? ' (the server closed the TLS connection before answering: does it want a client certificate? tls.cert and tls.key)'
        : '';
    throw new HttpUnreachableError(url, reason + hint);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403)
    throw BackendAccessError.forStatus(opts.backend ?? unnamed(url), url, res.status, text);
  if (!res.ok) throw new HttpStatusError(res.status, url, text);
  return { url, status: res.status, text };
}
