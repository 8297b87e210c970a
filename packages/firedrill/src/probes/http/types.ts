import type { ResponseExpectations } from './assertions.ts';

/**
 * blackbox_exporter's HTTP phases, in milliseconds. For a redirected request every phase is the
 * sum over all hops (blackbox's `probe_http_duration_seconds` help text: "summed over all
 * redirects"), while `total` is the wall time from the first byte of work to the last body byte.
 */
export interface HttpPhases {
  /** DNS lookup (0 for an IP literal). */
  resolve: number;
  /** TCP handshake. */
  connect: number;
  /** TLS handshake (0 for plain HTTP). */
  tls: number;
  /** Request fully written → first response byte. */
  processing: number;
  /** First response byte → last body byte. */
  transfer: number;
}

export interface HttpTimings extends HttpPhases {
  total: number;
}

/** One request/response exchange on its own connection: one hop of a possibly redirected request. */
export interface HttpHop {
  method: string;
  url: string;
  status: number;
  timings: HttpTimings;
  /** Epoch seconds of the earliest `notAfter` in the peer's chain, when HTTPS. */
  certExpiry?: number;
  /** The address actually connected to. */
  remoteAddress?: string;
}

export type HttpBody = string | Uint8Array | FormData;

export interface HttpRequestOptions {
  /** @defaultValue 'GET' */
  method?: string;
  headers?: Record<string, string>;
  /** Appended to the URL's query string. */
  query?: Record<string, string | number | boolean>;
  body?: HttpBody;
  /** Sent as JSON with `content-type: application/json`; wins over `body`. */
  json?: unknown;
  /** @defaultValue true */
  followRedirects?: boolean;
  /** More hops than this is an error, like Go's client that blackbox_exporter uses. @defaultValue 10 */
  maxRedirects?: number;
  /** This request's own limit; the run's timeout applies as well. */
  timeoutMs?: number;
  /** Skip TLS certificate verification (blackbox's `insecure_skip_verify`). @defaultValue false */
  insecure?: boolean;
  /** Extra CA certificates (PEM) to trust, e.g. a staging CA. */
  ca?: string | Uint8Array;
  /** A bigger body is an error rather than a memory problem. @defaultValue 10 MiB */
  maxBodyBytes?: number;
  /** Checked once the body is read; a mismatch throws an assertion error naming expected vs actual. */
  expect?: ResponseExpectations;
}

export interface HttpResponse {
  /** Final URL after redirects. */
  url: string;
  method: string;
  status: number;
  /** Lower-case names; repeated headers joined with ", " (`set-cookie` with "\n"). */
  headers: Record<string, string>;
  body: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
  /** Phases summed over hops, `total` the whole wall time. */
  timings: HttpTimings;
  hops: HttpHop[];
  redirects: number;
  /** The `X-Request-ID` sent with every hop. */
  requestId: string;
  /** Epoch seconds, earliest certificate expiry of the final hop's chain (HTTPS only). */
  certExpiry?: number;
  /** Throws an assertion error listing every unmet expectation; returns the response for chaining. */
  expect(expectations: ResponseExpectations): HttpResponse;
}

/** What a probe uses for HTTP. Relative URLs (`/api/items`) resolve against the environment's `baseUrl`. */
export interface HttpClient {
  request(url: string, opts?: HttpRequestOptions): Promise<HttpResponse>;
  get(url: string, opts?: Omit<HttpRequestOptions, 'method'>): Promise<HttpResponse>;
  post(url: string, opts?: Omit<HttpRequestOptions, 'method'>): Promise<HttpResponse>;
  put(url: string, opts?: Omit<HttpRequestOptions, 'method'>): Promise<HttpResponse>;
  patch(url: string, opts?: Omit<HttpRequestOptions, 'method'>): Promise<HttpResponse>;
  delete(url: string, opts?: Omit<HttpRequestOptions, 'method'>): Promise<HttpResponse>;
  head(url: string, opts?: Omit<HttpRequestOptions, 'method'>): Promise<HttpResponse>;
  /** A client sending these headers too (e.g. `authorization`), recording into the same run. */
  withHeaders(headers: Record<string, string>): HttpClient;
}

/** Where a client reports each finished or failed exchange: the run recorder. */
export interface HttpExchangeSink {
  /** A fresh request id, recorded on the current step. */
  requestId(): string;
  /** Called once per logical request, after its last hop (also when it failed part-way). */
  onExchange(exchange: {
    requestId: string;
    hops: HttpHop[];
    response?: HttpResponse;
    error?: unknown;
  }): void;
}
