import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AmWebhookAlert, AmWebhookPayload } from './alertmanager-types.ts';

/** One alert out of one webhook POST, stamped with the moment it arrived. */
export interface ReceivedAlert {
  /** Epoch ms when the POST's body was complete. */
  receivedAt: number;
  receiver: string;
  groupKey: string;
  alert: AmWebhookAlert;
}

export type ReceivedListener = (alert: ReceivedAlert) => void;

const MAX_BODY = 1024 * 1024;
// Alerts older than this are dropped from memory; drills only ever look at the last few minutes.
const KEEP_MS = 30 * 60_000;
// Alertmanager sends a few kilobytes at once; a body still incomplete after this is a stalled
// client (or a truncated request), answered 408 instead of holding the socket until Node's 300 s.
const BODY_TIMEOUT_MS = 10_000;

type BodyRead = { ok: true; text: string } | { ok: false; status: 408 | 413; message: string };

function readBody(req: IncomingMessage, timeoutMs: number): Promise<BodyRead | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.setTimeout(timeoutMs, () =>
      resolve({ ok: false, status: 408, message: `body not complete within ${timeoutMs} ms` }),
    );
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve({ ok: false, status: 413, message: `body larger than ${MAX_BODY} bytes` });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      req.setTimeout(0);
      resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    // The client went away mid-body: nobody to answer.
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(undefined));
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringRecord = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * What is wrong with a posted body, or undefined for an Alertmanager webhook payload. Checked
 * before anything is stored: listeners read `alert.labels.*` and `alert.status` unguarded, and
 * one bad post must not throw inside a running drill.
 */
export function webhookPayloadProblem(body: unknown): string | undefined {
  if (!isRecord(body)) return 'expected a JSON object (an Alertmanager webhook payload)';
  for (const key of ['receiver', 'groupKey'] as const) {
    if (body[key] !== undefined && typeof body[key] !== 'string') return `${key}: expected a string`;
  }
  if (!Array.isArray(body.alerts)) return 'alerts: expected an array';
  for (const [i, alert] of body.alerts.entries()) {
    if (!isRecord(alert)) return `alerts[${i}]: expected an object`;
    if (alert.status !== 'firing' && alert.status !== 'resolved')
      return `alerts[${i}].status: expected "firing" or "resolved"`;
    if (!isStringRecord(alert.labels)) return `alerts[${i}].labels: expected an object of strings`;
  }
  return undefined;
}

/**
 * The push path: Alertmanager's `webhook_configs` posts every notification here, so a drill sees
 * an alert the moment Alertmanager sends it instead of at its next poll. Serves only while drills
 * run; Alertmanager retries what it could not deliver in between.
 */
export class WebhookReceiver {
  readonly #alerts: ReceivedAlert[] = [];
  readonly #listeners = new Set<ReceivedListener>();
  #server: Server | undefined;

  private constructor(
    readonly path: string,
    private readonly bodyTimeoutMs: number,
  ) {}

  /**
   * Listens on the URL's port (loopback). Resolves `undefined` when the port is taken, e.g. by
   * another firedrill run: drills then fall back to polling.
   */
  static async listen(
    url: string,
    opts: { bodyTimeoutMs?: number } = {},
  ): Promise<WebhookReceiver | undefined> {
    const u = new URL(url);
    const receiver = new WebhookReceiver(u.pathname || '/', opts.bodyTimeoutMs ?? BODY_TIMEOUT_MS);
    // An unhandled rejection here would end the process mid-drill, before its rollback.
    const server = createServer((req, res) =>
      receiver.#handle(req, res.writeHead.bind(res), res).catch(() => res.destroy()),
    );
    const ok = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        err.code === 'EADDRINUSE' ? resolve(false) : reject(err),
      );
      server.listen(Number(u.port), u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, () =>
        resolve(true),
      );
    });
    if (!ok) return undefined;
    receiver.#server = server;
    return receiver;
  }

  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async #handle(
    req: IncomingMessage,
    writeHead: (code: number, headers?: Record<string, string>) => unknown,
    res: { end(body?: string): void },
  ): Promise<void> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== this.path) {
      writeHead(404);
      res.end();
      return;
    }
    const refuse = (status: number, message: string) => {
      // Close: after a refused body the connection may still carry the rest of it.
      writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`${message}\n`);
    };
    const body = await readBody(req, this.bodyTimeoutMs);
    if (!body) return;
    if (!body.ok) return refuse(body.status, body.message);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch (err) {
      return refuse(400, `invalid JSON: ${(err as Error).message}`);
    }
    const problem = webhookPayloadProblem(parsed);
    if (problem) return refuse(400, problem);
    const payload = parsed as AmWebhookPayload;
    // Stamp before anything else: this moment is "Alertmanager sent it" for the hop figures.
    const receivedAt = Date.now();
    // No keep-alive: between drills nobody listens, and Alertmanager reusing a connection that
    // died meanwhile costs a failed POST and a retry backoff, i.e. a late "firing" push.
    writeHead(200, { connection: 'close' });
    res.end();
    this.#prune(receivedAt);
    for (const alert of payload.alerts) {
      const rec: ReceivedAlert = {
        receivedAt,
        receiver: payload.receiver ?? '',
        groupKey: payload.groupKey ?? '',
        alert,
      };
      this.#alerts.push(rec);
      for (const l of this.#listeners) {
        try {
          l(rec);
        } catch {
          // one broken subscriber must not cost the others their alert
        }
      }
    }
  }

  #prune(now: number): void {
    while (this.#alerts.length && this.#alerts[0]!.receivedAt < now - KEEP_MS) this.#alerts.shift();
  }

  /** Alerts received so far (optionally only since an epoch ms). */
  received(since = 0): ReceivedAlert[] {
    return this.#alerts.filter((a) => a.receivedAt >= since);
  }

  /** Subscribes to every alert from now on; returns the unsubscribe function. */
  subscribe(listener: ReceivedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with the first alert, received since `since`, that satisfies `predicate`; rejects
   * when `signal` aborts.
   */
  waitFor(
    predicate: (a: ReceivedAlert) => boolean,
    since: number,
    signal: AbortSignal,
  ): Promise<ReceivedAlert> {
    const already = this.received(since).find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        unsubscribe();
        reject(signal.reason);
      };
      const unsubscribe = this.subscribe((a) => {
        if (a.receivedAt < since || !predicate(a)) return;
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        resolve(a);
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
