import { AssertionError, assertResponse, type ResponseExpectations } from './assertions.ts';
import { show } from './matchers.ts';
import { HttpError, timedHop } from './timed-hop.ts';
import type {
  HttpClient,
  HttpExchangeSink,
  HttpHop,
  HttpRequestOptions,
  HttpResponse,
  HttpTimings,
} from './types.ts';

export interface HttpClientOptions {
  /** Relative URLs resolve against it, path prefix kept (`/api/x` on `https://h/app` → `https://h/app/api/x`). */
  baseUrl?: string | undefined;
  sink: HttpExchangeSink;
  /** The run's signal: aborting it ends every request in flight. */
  signal: AbortSignal;
  headers?: Record<string, string>;
}

export const USER_AGENT = 'firedrill/0.1';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  return new ProbeHttpClient(opts, lowerKeys(opts.headers ?? {}));
}

type VerbOptions = Omit<HttpRequestOptions, 'method'>;

/** Methods on a prototype: one client per run attempt, so no closures are built per run. */
class ProbeHttpClient implements HttpClient {
  constructor(
    private readonly opts: HttpClientOptions,
    private readonly defaults: Record<string, string>,
  ) {}

  request(url: string, o: HttpRequestOptions = {}): Promise<HttpResponse> {
    return send(this.opts, this.defaults, url, o);
  }
  get(url: string, o: VerbOptions = {}) {
    return send(this.opts, this.defaults, url, { ...o, method: 'GET' });
  }
  post(url: string, o: VerbOptions = {}) {
    return send(this.opts, this.defaults, url, { ...o, method: 'POST' });
  }
  put(url: string, o: VerbOptions = {}) {
    return send(this.opts, this.defaults, url, { ...o, method: 'PUT' });
  }
  patch(url: string, o: VerbOptions = {}) {
    return send(this.opts, this.defaults, url, { ...o, method: 'PATCH' });
  }
  delete(url: string, o: VerbOptions = {}) {
    return send(this.opts, this.defaults, url, { ...o, method: 'DELETE' });
  }
  head(url: string, o: VerbOptions = {}) {
    return send(this.opts, this.defaults, url, { ...o, method: 'HEAD' });
  }
  withHeaders(headers: Record<string, string>): HttpClient {
    return new ProbeHttpClient(this.opts, { ...this.defaults, ...lowerKeys(headers) });
  }
}

async function send(
  client: HttpClientOptions,
  defaults: Record<string, string>,
  rawUrl: string,
  o: HttpRequestOptions,
): Promise<HttpResponse> {
  let method = (o.method ?? 'GET').toUpperCase();
  let url = resolveUrl(rawUrl, client.baseUrl, o.query);
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    ...defaults,
    ...lowerKeys(o.headers ?? {}),
  };
  const requestId = headers['x-request-id'] ?? client.sink.requestId();
  headers['x-request-id'] = requestId;
  let body: string | Uint8Array | undefined;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] ??= 'application/json';
  } else if (o.body instanceof FormData) {
    // Encoded up front by the platform's own multipart encoder: the bytes can be re-sent on a
    // 307/308, and undici's FormData handling is tied to its own FormData class.
    const encoded = new Response(o.body);
    body = new Uint8Array(await encoded.arrayBuffer());
    headers['content-type'] = encoded.headers.get('content-type')!;
  } else {
    body = o.body;
  }
  const ownTimeout = o.timeoutMs ? AbortSignal.timeout(o.timeoutMs) : undefined;
  const signal = ownTimeout ? AbortSignal.any([client.signal, ownTimeout]) : client.signal;
  const follow = o.followRedirects ?? true;
  const maxRedirects = o.maxRedirects ?? 10;
  const hops: HttpHop[] = [];
  const start = performance.now();
  try {
    for (;;) {
      const {
        hop,
        headers: resHeaders,
        body: resBody,
      } = await timedHop({
        url,
        method,
        headers,
        body,
        signal,
        insecure: o.insecure ?? false,
        ca: o.ca,
        maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY,
      });
      hops.push(hop);
      const location = resHeaders.location;
      if (follow && REDIRECTS.has(hop.status) && location) {
        if (hops.length > maxRedirects) throw new Error(`stopped after ${maxRedirects} redirects`);
        const next = new URL(location, url);
        // Browsers' and Go's rules: 303 always, and 301/302 after a POST, continue as a bodyless GET.
        if (
          hop.status === 303
            ? method !== 'HEAD'
            : (hop.status === 301 || hop.status === 302) && method === 'POST'
        ) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
          delete headers['content-length'];
        }
        // Credentials never follow a redirect to another origin.
        if (next.origin !== url.origin) delete headers.authorization;
        url = next;
        continue;
      }
      const res = new ProbeResponse(
        method,
        url.href,
        hop.status,
        resHeaders,
        resBody,
        hops,
        requestId,
        start,
      );
      client.sink.onExchange({ requestId, hops, response: res });
      if (o.expect) assertResponse(res, o.expect);
      return res;
    }
  } catch (err) {
    if (err instanceof AssertionError) throw err;
    const wrapped = wrapError(err, method, url, client.signal, ownTimeout, o.timeoutMs);
    client.sink.onExchange({ requestId, hops, error: wrapped });
    throw wrapped;
  }
}

function wrapError(
  err: unknown,
  method: string,
  url: URL,
  runSignal: AbortSignal,
  ownTimeout: AbortSignal | undefined,
  timeoutMs: number | undefined,
): HttpError {
  const where = `${method} ${url.href}`;
  if (runSignal.aborted) {
    const reason = (runSignal.reason as Error | undefined)?.message ?? 'run ended';
    return new HttpError(`${where}: aborted (${reason})`, 'timeout', { cause: err });
  }
  if (ownTimeout?.aborted)
    return new HttpError(`${where}: timed out after ${timeoutMs} ms`, 'timeout', { cause: err });
  const e = err as { message?: string; code?: string };
  const text = e.message || e.code || String(err);
  return new HttpError(`${where}: ${text}`, 'http', { cause: err });
}

function resolveUrl(raw: string, baseUrl: string | undefined, query?: HttpRequestOptions['query']): URL {
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) url = new URL(raw);
  else if (!baseUrl) throw new Error(`relative URL ${JSON.stringify(raw)} needs an environment baseUrl`);
  else url = new URL(`${baseUrl.replace(/\/+$/, '')}/${raw.replace(/^\/+/, '')}`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.append(k, String(v));
  return url;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

const decoder = new TextDecoder();

class ProbeResponse implements HttpResponse {
  readonly timings: HttpTimings;
  readonly redirects: number;
  readonly certExpiry?: number;
  #text?: string;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: Uint8Array,
    readonly hops: HttpHop[],
    readonly requestId: string,
    start: number,
  ) {
    const sum = (k: keyof HttpTimings) => hops.reduce((acc, h) => acc + h.timings[k], 0);
    this.timings = {
      resolve: sum('resolve'),
      connect: sum('connect'),
      tls: sum('tls'),
      processing: sum('processing'),
      transfer: sum('transfer'),
      total: performance.now() - start,
    };
    this.redirects = hops.length - 1;
    const last = hops[hops.length - 1];
    if (last?.certExpiry !== undefined) this.certExpiry = last.certExpiry;
  }

  text(): string {
    this.#text ??= decoder.decode(this.body);
    return this.#text;
  }

  json<T = unknown>(): T {
    try {
      return JSON.parse(this.text()) as T;
    } catch (err) {
      throw new AssertionError(
        `${this.method} ${this.url}: expected a JSON body, got ${show(this.text(), 80)} (${(err as Error).message})`,
      );
    }
  }

  expect(expectations: ResponseExpectations): HttpResponse {
    assertResponse(this, expectations);
    return this;
  }
}
