import type { X509Certificate } from 'node:crypto';
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { Client, type Dispatcher } from 'undici';
import type { HttpBody, HttpHop } from './types.ts';

export interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: HttpBody | undefined;
  signal: AbortSignal;
  insecure: boolean;
  ca?: string | Uint8Array | undefined;
  maxBodyBytes: number;
}

export interface HopResponse {
  hop: HttpHop;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A request that failed before a full response; `type` is 'timeout' or 'http' (ErrorInfo.type). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly type: 'http' | 'timeout',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Monotonic milliseconds with sub-microsecond resolution; wall clock jumps must not skew phases. */
const now = (): number => performance.now();

/** Timestamps of one hop, each taken inside the event callback that marks it. */
interface Marks {
  t0: number;
  resolved: number;
  connected: number;
  secured: number;
  written: number;
  firstByte: number;
  end: number;
  remoteAddress?: string;
  /**
   * Taken when the response has ended, while the socket is still open: fetching it (~0.5 ms on
   * a slow box) between handshake and request would be counted in the next phase.
   */
  peer?: X509Certificate;
  socket?: net.Socket;
}

/**
 * One request on its own, fresh connection, timed like blackbox_exporter's httptrace hooks. The
 * request is dispatched first, so undici asks for its connection through the `connect` hook at
 * once; the hook resolves, connects and handshakes itself so each phase is measured alone, and
 * undici writes the moment the socket is handed over. Every mark is taken in the callback of
 * the event it stands for (not after the promise hops that follow): "request written" is the
 * return of the last `write()` before the first response byte, and that byte is the socket's
 * first `readable` event, which is what curl's `time_starttransfer` and Go's
 * `GotFirstResponseByte` see.
 */
export async function timedHop(req: HopRequest): Promise<HopResponse> {
  const { url, signal } = req;
  const https = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port || (https ? 443 : 80));
  signal.throwIfAborted();

  let socket: net.Socket | undefined;
  const m: Marks = { t0: 0, resolved: 0, connected: 0, secured: 0, written: 0, firstByte: 0, end: 0 };
  // Built before the clock starts: setting up the client is the prober's work, not the network's.
  const client = new Client(url.origin, {
    connect: (_opts, cb) => {
      establish(host, port, https, req, m).then(
        (s) => {
          socket = s;
          m.socket = s;
          instrument(s, m);
          cb(null, s);
        },
        (err: Error) => cb(err, null),
      );
    },
    // The run's AbortSignal bounds the request; undici's own 300 s timers would only add cost.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  m.t0 = now();
  try {
    const res = await exchange(client, url, req, m);
    const tEnd = m.end;
    const firstByte = m.firstByte || tEnd;
    // Read after the response: walking the chain costs time that belongs to no phase.
    const certExpiry = earliestCertExpiry(m.peer);
    const hop: HttpHop = {
      method: req.method,
      url: url.href,
      status: res.status,
      timings: {
        resolve: m.resolved - m.t0,
        connect: m.connected - m.resolved,
        tls: m.secured - m.connected,
        processing: Math.max(0, firstByte - m.written),
        transfer: tEnd - firstByte,
        total: tEnd - m.t0,
      },
      ...(certExpiry !== undefined ? { certExpiry } : {}),
      ...(m.remoteAddress ? { remoteAddress: m.remoteAddress } : {}),
    };
    return { hop, headers: res.headers, body: res.body };
  } finally {
    client.destroy(HOP_DONE).catch(ignore);
    socket?.destroy();
  }
}

/** DNS, TCP and TLS for one hop, marking each as it completes. */
async function establish(
  host: string,
  port: number,
  https: boolean,
  req: HopRequest,
  m: Marks,
): Promise<net.Socket> {
  const { signal } = req;
  const addresses = net.isIP(host) ? [host] : isLocalhost(host) ? LOOPBACK : await lookupAll(host);
  m.resolved = now();
  const { socket: tcp, address } = await connectFirst(addresses, port, signal, m);
  m.remoteAddress = address;
  if (!https) {
    m.secured = m.connected;
    return tcp;
  }
  return tlsHandshake(tcp, host, req, signal, m);
}

/** Marks "request written" and "first byte" on the socket undici is about to use. */
function instrument(socket: net.Socket, m: Marks): void {
  m.written = m.secured;
  const write = socket.write;
  socket.write = function (this: net.Socket, ...args: Parameters<typeof write>) {
    const ok = write.apply(this, args);
    if (m.firstByte === 0) m.written = now();
    return ok;
  } as typeof write;
  socket.once('readable', () => {
    m.firstByte = now();
  });
}

function ignore(): void {}

/**
 * Passed to undici's `destroy`: without a reason it builds two errors per connection (client
 * destroyed, socket closed), each capturing a stack — a measurable share of a probe's CPU.
 */
const HOP_DONE = new Error('hop finished');

/**
 * RFC 6761 §6.3: `localhost` names are loopback without asking any resolver. curl and Go do the
 * same, so a local target's `resolve` phase is as near zero for firedrill as for them.
 */
const LOOPBACK = ['127.0.0.1', '::1'];
function isLocalhost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * One TLS context per trust setting, not per connection: building a context (parsing CAs,
 * fetching OpenSSL 3 algorithms) costs more than the handshake on loopback, and no peer would
 * pay it per probe. Sessions are not resumed (no session passed), so every handshake is full.
 */
const contexts = new Map<string, tls.SecureContext>();
function secureContext(ca: string | Uint8Array | undefined): tls.SecureContext {
  const key = ca === undefined ? '' : typeof ca === 'string' ? ca : Buffer.from(ca).toString('latin1');
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext(ca === undefined ? {} : { ca: [key] });
    // Bounded: trust settings are few per process; a probe passing a fresh CA each run must not leak.
    if (contexts.size >= 32) contexts.clear();
    contexts.set(key, ctx);
  }
  return ctx;
}

async function lookupAll(host: string): Promise<string[]> {
  const found = await dns.promises.lookup(host, { all: true });
  if (found.length === 0) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return found.map((a) => a.address);
}

/** Tries each resolved address in order, so `localhost` → ::1 falls back to 127.0.0.1 like curl does. */
async function connectFirst(
  addresses: string[],
  port: number,
  signal: AbortSignal,
  m: Marks,
): Promise<{ socket: net.Socket; address: string }> {
  let lastError: unknown;
  // The address tried is the peer's: asking the socket (getpeername) would cost a syscall per probe.
  for (const address of addresses) {
    try {
      return { socket: await connectOne(address, port, signal, m), address };
    } catch (err) {
      if (signal.aborted) throw err;
      lastError = err;
    }
  }
  throw lastError;
}

function connectOne(host: string, port: number, signal: AbortSignal, m: Marks): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    // Stays attached: an error between connect and undici taking the socket must not go unhandled.
    socket.on('error', ignore);
    const onAbort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      m.connected = now();
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

function tlsHandshake(
  socket: net.Socket,
  host: string,
  req: HopRequest,
  signal: AbortSignal,
  m: Marks,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      socket.destroy();
      reject(signal.reason);
      return;
    }
    const secure = tls.connect({
      socket,
      ...(net.isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: !req.insecure,
      secureContext: secureContext(req.ca),
    });
    secure.on('error', ignore);
    const onAbort = () => {
      secure.destroy();
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('secureConnect', () => {
      m.secured = now();
      signal.removeEventListener('abort', onAbort);
      resolve(secure);
    });
    secure.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    });
  });
}

/**
 * blackbox's `probe_ssl_earliest_cert_expiry`: the earliest `notAfter` over the certificates the
 * peer presented, in epoch seconds — an intermediate expiring first matters as much as the leaf.
 */
export function earliestCertExpiry(leaf: X509Certificate | undefined): number | undefined {
  let cert: X509Certificate | undefined = leaf;
  let earliest: number | undefined;
  const seen = new Set<string>();
  while (cert && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const notAfter = Date.parse(cert.validTo) / 1000;
    if (Number.isFinite(notAfter) && (earliest === undefined || notAfter < earliest)) earliest = notAfter;
    cert = cert.issuerCertificate;
  }
  return earliest;
}

/**
 * One request through undici's dispatch handler API rather than `request()`: no body stream and
 * no async iterator per probe, which showed as a real share of CPU per probe in the benchmark.
 */
function exchange(
  client: Client,
  url: URL,
  req: HopRequest,
  m: Marks,
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
  const { signal, maxBodyBytes } = req;
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let onAbort: (() => void) | undefined;
    const settle = () => {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    };
    client.dispatch(
      {
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: req.headers,
        // The global FormData and undici's are the same class at run time, not to the type checker.
        body: (req.body ?? null) as Dispatcher.DispatchOptions['body'],
      },
      {
        onRequestStart(controller) {
          if (signal.aborted) return controller.abort(signal.reason as Error);
          onAbort = () => controller.abort(signal.reason as Error);
          signal.addEventListener('abort', onAbort, { once: true });
        },
        onResponseStart(_controller, statusCode, raw) {
          // 1xx (100 Continue, 103 Early Hints) are interim; the final status follows.
          if (statusCode < 200) return;
          status = statusCode;
          headers = flattenHeaders(raw);
        },
        onResponseData(controller, chunk) {
          size += chunk.length;
          if (size > maxBodyBytes) {
            controller.abort(new Error(`response body exceeds maxBodyBytes (${maxBodyBytes})`));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          m.end = now();
          if (m.socket instanceof tls.TLSSocket) m.peer = m.socket.getPeerX509Certificate();
          settle();
          resolve({ status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
        },
        onResponseError(_controller, err) {
          settle();
          reject(err);
        },
      },
    );
  });
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(k.toLowerCase() === 'set-cookie' ? '\n' : ', ') : v;
  }
  return out;
}
