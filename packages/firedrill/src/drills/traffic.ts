import type { Timeline } from '../core/timeline.ts';
import type { RequestTrafficSpec, TrafficRequest } from './define.ts';

export interface TrafficSample {
  requestId: string;
  path: string;
  status?: number;
  error?: string;
  durationMs: number;
  at: number;
}

export interface TrafficTally {
  sent: number;
  bad: number;
  byStatus: Record<string, number>;
  errors: number;
}

/** What preflight, the runner and the steady-state check need of a drill's traffic, whatever sends it. */
export interface DrillTraffic {
  readonly tally: TrafficTally;
  /** How messages count it: `requests sent`, `probe runs`. */
  readonly unit: string;
  /** Steady state: the traffic is answered as usual before the fault. */
  baseline(signal: AbortSignal): Promise<{ ok: boolean; problems: string[]; samples: TrafficSample[] }>;
  /** Keeps it flowing until `stop()`, within its own caps. */
  start(signal: AbortSignal): void;
  /** Resolves with the first bad sample, or undefined at the deadline. */
  waitForBad(deadline: number, signal: AbortSignal): Promise<TrafficSample | undefined>;
  stop(): Promise<TrafficTally>;
}

/** Waits for the first bad sample: at once if there is one, else until a waiter is called or the deadline. */
export function waitForBadSample(
  first: TrafficSample | undefined,
  waiters: Set<(s: TrafficSample) => void>,
  deadline: number,
  signal: AbortSignal,
): Promise<TrafficSample | undefined> {
  if (first) return Promise.resolve(first);
  return new Promise((resolve) => {
    const done = (s?: TrafficSample) => {
      clearTimeout(timer);
      waiters.delete(done);
      signal.removeEventListener('abort', onAbort);
      resolve(s);
    };
    const onAbort = () => done(undefined);
    const timer = setTimeout(() => done(undefined), Math.max(0, deadline - Date.now()));
    waiters.add(done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Puts the first bad sample on the timeline, at the moment its request (or step) started. */
export function markFirstBad(timeline: Timeline, s: TrafficSample): void {
  const at = s.at - s.durationMs;
  timeline.mark('firstBadSample', at);
  timeline.mark('firstBadAnswered', s.at);
  timeline.add(
    'inject',
    'observe',
    'first bad sample',
    { path: s.path, status: s.status, error: s.error, durationMs: s.durationMs, requestId: s.requestId },
    at,
  );
}

interface Baseline {
  status: number;
  maxMs: number;
}

const DEFAULTS = { ratePerSec: 5, maxRequests: 2000, maxInFlight: 8, requestTimeoutMs: 10_000 };

let pngCache: Map<string, Uint8Array<ArrayBuffer>> | undefined;

/** A small real PNG (sharp renders it), so image processing has something to chew on. */
async function png(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  pngCache ??= new Map();
  const key = `${width}x${height}`;
  const hit = pngCache.get(key);
  if (hit) return hit;
  const { default: sharp } = await import('sharp');
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer();
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  pngCache.set(key, bytes);
  return bytes;
}

/**
 * Requests the drill keeps sending while the fault is on. Every one carries an `X-Request-ID`
 * the drill records (log verifiers find the entries by them), and the first response that
 * differs from the steady state is the "first bad sample" on the timeline. Bounded in count and
 * in concurrency whatever the spec says.
 */
export class TrafficRunner implements DrillTraffic {
  readonly unit = 'requests sent';
  readonly tally: TrafficTally = { sent: 0, bad: 0, byStatus: {}, errors: 0 };
  firstBad?: TrafficSample;
  readonly #baseline = new Map<number, Baseline>();
  readonly #badWaiters = new Set<(s: TrafficSample) => void>();
  #token: string | undefined;
  #n = 0;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #slowMs: number | undefined;
  /** When the last affected request was answered: where the fault's effect on the app ended. */
  #lastBadAt: number | undefined;

  constructor(
    private readonly spec: RequestTrafficSpec,
    private readonly target: { baseUrl: string; credentials?: { username: string; password: string } },
    private readonly runId: string,
    private readonly timeline: Timeline,
    private readonly recordRequestId: (id: string) => void,
  ) {}

  async #login(signal: AbortSignal): Promise<string> {
    if (this.#token) return this.#token;
    const creds = this.target.credentials;
    if (!creds) throw new Error('traffic with login: true needs credentials in the environment');
    const res = await fetch(new URL('/api/login', this.target.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': this.#nextId('login') },
      body: JSON.stringify(creds),
      signal,
    });
    const body = (await res.json().catch(() => ({}))) as { token?: string };
    if (!res.ok || !body.token) throw new Error(`traffic login failed: HTTP ${res.status}`);
    this.#token = body.token;
    return body.token;
  }

  #nextId(kind = 'traffic'): string {
    const id = `${this.runId}-${kind}-${this.#n++}`;
    this.recordRequestId(id);
    return id;
  }

  async #send(req: TrafficRequest, signal: AbortSignal): Promise<TrafficSample> {
    const requestId = this.#nextId();
    const headers: Record<string, string> = { 'x-request-id': requestId };
    let body: BodyInit | undefined;
    if (req.login) headers.authorization = `Bearer ${await this.#login(signal)}`;
    if (req.uploadImage) {
      const form = new FormData();
      const bytes = await png(req.uploadImage.width ?? 256, req.uploadImage.height ?? 256);
      form.append(req.uploadImage.field, new Blob([bytes], { type: 'image/png' }), 'firedrill.png');
      body = form;
    } else if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const started = Date.now();
    try {
      const res = await fetch(new URL(req.path, this.target.baseUrl), {
        method: req.method ?? (body ? 'POST' : 'GET'),
        headers,
        ...(body ? { body } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(DEFAULTS.requestTimeoutMs)]),
      });
      await res.arrayBuffer();
      return {
        requestId,
        path: req.path,
        status: res.status,
        durationMs: Date.now() - started,
        at: Date.now(),
      };
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string }; message?: string };
      const error = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message ?? String(err));
      return { requestId, path: req.path, error, durationMs: Date.now() - started, at: Date.now() };
    }
  }

  /** Steady state: every request answered as expected before the fault, and how fast. */
  async baseline(
    signal: AbortSignal,
  ): Promise<{ ok: boolean; problems: string[]; samples: TrafficSample[] }> {
    const problems: string[] = [];
    const samples: TrafficSample[] = [];
    for (const [i, req] of this.spec.requests.entries()) {
      for (let round = 0; round < 2; round++) {
        const s = await this.#send(req, signal);
        samples.push(s);
        const okStatus =
          req.expectStatus ?? (s.status !== undefined && s.status < 400 ? s.status : undefined);
        if (s.error || s.status === undefined || s.status !== okStatus) {
          problems.push(`${req.method ?? 'GET'} ${req.path}: ${s.error ?? `HTTP ${s.status}`}`);
          continue;
        }
        const b = this.#baseline.get(i);
        this.#baseline.set(i, { status: s.status, maxMs: Math.max(b?.maxMs ?? 0, s.durationMs) });
      }
    }
    const slowest = Math.max(0, ...[...this.#baseline.values()].map((b) => b.maxMs));
    this.#slowMs = this.spec.slowMs ?? slowest * 3 + 250;
    return { ok: problems.length === 0, problems: [...new Set(problems)], samples };
  }

  #isBad(i: number, s: TrafficSample): boolean {
    if (s.error || s.status === undefined) return true;
    const expected = this.spec.requests[i]!.expectStatus ?? this.#baseline.get(i)?.status;
    if (expected !== undefined ? s.status !== expected : s.status >= 400) return true;
    return this.#slowMs !== undefined && s.durationMs > this.#slowMs;
  }

  #record(i: number, s: TrafficSample): void {
    this.tally.sent++;
    if (s.error) this.tally.errors++;
    else this.tally.byStatus[String(s.status)] = (this.tally.byStatus[String(s.status)] ?? 0) + 1;
    if (!this.#isBad(i, s)) return;
    this.tally.bad++;
    this.#lastBadAt = Math.max(this.#lastBadAt ?? 0, s.at);
    if (this.firstBad) return;
    this.firstBad = s;
    // The request went out at `at - durationMs`; it turned bad somewhere in between: use its start.
    markFirstBad(this.timeline, s);
    for (const w of this.#badWaiters) w(s);
  }

  /** Keeps sending until `stop()`, paced at `ratePerSec`, never more than the caps. */
  start(signal: AbortSignal): void {
    const rate = this.spec.ratePerSec ?? DEFAULTS.ratePerSec;
    const max = this.spec.maxRequests ?? DEFAULTS.maxRequests;
    const maxInFlight = this.spec.maxInFlight ?? DEFAULTS.maxInFlight;
    const stop = AbortSignal.any([signal, this.#stop.signal]);
    this.#loop = (async () => {
      const inFlight = new Set<Promise<void>>();
      const started = Date.now();
      for (let n = 0; n < max && !stop.aborted; n++) {
        const wait = started + (n * 1000) / rate - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stop.aborted) break;
        // A hung app must not pile up sockets: skip the tick instead of queueing behind it.
        if (inFlight.size >= maxInFlight) continue;
        const i = n % this.spec.requests.length;
        const p = this.#send(this.spec.requests[i]!, stop)
          .then((s) => {
            if (!stop.aborted || s.status !== undefined) this.#record(i, s);
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.allSettled(inFlight);
    })();
  }

  /** Resolves with the first bad sample, or undefined at the deadline. */
  waitForBad(deadline: number, signal: AbortSignal): Promise<TrafficSample | undefined> {
    return waitForBadSample(this.firstBad, this.#badWaiters, deadline, signal);
  }

  async stop(): Promise<TrafficTally> {
    this.#stop.abort();
    await this.#loop;
    if (this.#lastBadAt !== undefined) this.timeline.mark('lastBadAnswered', this.#lastBadAt);
    return this.tally;
  }
}
