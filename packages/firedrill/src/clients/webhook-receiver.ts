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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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

  private constructor(readonly path: string) {}

  /**
   * Listens on the URL's port (loopback). Resolves `undefined` when the port is taken, e.g. by
   * another firedrill run: drills then fall back to polling.
   */
  static async listen(url: string): Promise<WebhookReceiver | undefined> {
    const u = new URL(url);
    const receiver = new WebhookReceiver(u.pathname || '/');
    const server = createServer((req, res) => void receiver.#handle(req, res.writeHead.bind(res), res));
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
    let payload: AmWebhookPayload;
    try {
      payload = JSON.parse(await readBody(req)) as AmWebhookPayload;
    } catch (err) {
      writeHead(400, { 'content-type': 'text/plain' });
      res.end((err as Error).message);
      return;
    }
    // Stamp before anything else: this moment is "Alertmanager sent it" for the hop figures.
    const receivedAt = Date.now();
    // No keep-alive: between drills nobody listens, and Alertmanager reusing a connection that
    // died meanwhile costs a failed POST and a retry backoff, i.e. a late "firing" push.
    writeHead(200, { connection: 'close' });
    res.end();
    this.#prune(receivedAt);
    for (const alert of payload.alerts ?? []) {
      const rec: ReceivedAlert = {
        receivedAt,
        receiver: payload.receiver,
        groupKey: payload.groupKey,
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
