import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { SlackApiError } from './slack-errors.ts';

/**
 * One Slack Web API call over HTTP with Slack's semantics: `ok: false` bodies and non-JSON
 * answers become `SlackApiError`, and HTTP 429 is waited out for `Retry-After` seconds.
 */

export type SlackArgs = Record<string, unknown>;
export type SlackOk = { ok: true } & Record<string, unknown>;

/** Accumulates time spent on 429s, so a report can blame Slack's rate limit, not the pipeline. */
export interface RateLimitTracker {
  waitedMs: number;
  count: number;
  /** Keep honouring 429s until the signal ends the wait (waitForMessage has a deadline). */
  unbounded?: boolean;
  onWait?: ((waitMs: number, method: string) => void) | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Goes into error texts, e.g. `channel "#alerts"`. */
  context?: string;
  tracker?: RateLimitTracker;
}

export interface SlackTransportOptions {
  apiUrl: string;
  token: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  logger: Logger;
  maxRateLimitRetries: number;
}

export class SlackTransport {
  constructor(private readonly opts: SlackTransportOptions) {}

  async call(method: string, args: SlackArgs, opts: CallOptions = {}): Promise<SlackOk> {
    const tracker = opts.tracker ?? { waitedMs: 0, count: 0 };
    for (let attempt = 0; ; attempt++) {
      const res = await this.#send(method, args, opts.signal);
      if (res.status === 429) {
        await res.body?.cancel();
        if (!tracker.unbounded && attempt >= this.opts.maxRateLimitRetries) {
          throw new SlackApiError(method, 'ratelimited', { status: 429, ...ctx(opts.context) });
        }
        const waitMs = retryAfterMs(res.headers.get('retry-after'));
        this.opts.logger.warn({ method, waitMs }, 'Slack rate limit: waiting for Retry-After');
        tracker.onWait?.(waitMs, method);
        const start = Date.now();
        try {
          await sleep(waitMs, undefined, { signal: opts.signal });
        } finally {
          tracker.waitedMs += Date.now() - start;
          tracker.count++;
        }
        continue;
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const record =
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
      if (record?.ok === true) return record as SlackOk;
      const error =
        typeof record?.error === 'string' ? record.error : res.ok ? 'invalid_response' : `http_${res.status}`;
      throw new SlackApiError(method, error, {
        status: res.status,
        ...ctx(opts.context),
        ...(typeof record?.needed === 'string' ? { needed: record.needed } : {}),
        ...(typeof record?.provided === 'string' ? { provided: record.provided } : {}),
      });
    }
  }

  // Reads go as GET with a query string (every Slack method accepts it); chat.postMessage
  // carries nested blocks/attachments, which only a JSON body keeps intact.
  #send(method: string, args: SlackArgs, signal: AbortSignal | undefined): Promise<Response> {
    const headers: Record<string, string> = {
      ...this.opts.headers,
      authorization: `Bearer ${this.opts.token}`,
    };
    const init: RequestInit = { headers, ...(signal ? { signal } : {}) };
    let url = `${this.opts.apiUrl}/${method}`;
    if (method === 'chat.postMessage') {
      init.method = 'POST';
      headers['content-type'] = 'application/json; charset=utf-8';
      init.body = JSON.stringify(args);
    } else {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(args)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') qs.set(k, String(v));
      }
      const q = qs.toString();
      if (q) url += `?${q}`;
    }
    return this.opts.fetch(url, init);
  }
}

/** `next_cursor`, or undefined at the end (Slack sends `""` there, or nothing). */
export function nextCursor(res: SlackOk): string | undefined {
  const meta = res.response_metadata as { next_cursor?: unknown } | undefined;
  return typeof meta?.next_cursor === 'string' && meta.next_cursor ? meta.next_cursor : undefined;
}

/** Slack sends whole seconds; a missing or odd header still must not mean "retry at once". */
function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

function ctx(context: string | undefined): { context?: string } {
  return context ? { context } : {};
}
