import { setTimeout as sleep } from 'node:timers/promises';
import pino, { type Logger } from 'pino';
import { SlackApiError, SlackWaitTimeoutError } from './slack-errors.ts';
import {
  closestMatch,
  compareTs,
  describeMatcher,
  epochMsToTs,
  type MessageMatcher,
  matchesMessage,
  type SlackAttachment,
  type SlackBlock,
  type SlackMessage,
  tsToEpochMs,
} from './slack-message.ts';
import { type CallOptions, nextCursor, type RateLimitTracker, SlackTransport } from './slack-transport.ts';

export type { SlackWaitTimeoutDetails } from './slack-errors.ts';
export { SlackApiError, SlackWaitTimeoutError } from './slack-errors.ts';
export * from './slack-message.ts';

export interface SlackClientOptions {
  /** `https://slack.com/api`, or the local sink's `${url}/api`. @defaultValue 'https://slack.com/api' */
  apiUrl?: string;
  /** Bot token (`xoxb-…`) with `channels:read`, `channels:history` (and `chat:write` to post). */
  token: string;
  /** Extra headers on every call (a proxy's own auth); the bot token is sent as `Authorization`. */
  headers?: Record<string, string>;
  /** A fetch with the connection's TLS settings; injectable for unit tests. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  logger?: Logger;
  /** `types` for `conversations.list` when resolving names. @defaultValue 'public_channel' */
  channelTypes?: string;
  /** 429s a single call outside `waitForMessage` sits out before failing. @defaultValue 3 */
  maxRateLimitRetries?: number;
}

export interface SlackChannel {
  id: string;
  name: string;
  is_channel?: boolean;
  is_member?: boolean;
  is_private?: boolean;
  created?: number;
}

export interface HistoryOptions {
  /** Channel id, `name` or `#name`. */
  channel: string;
  /** Epoch ms; only messages at or after it. */
  oldest?: number;
  /** Epoch ms; only messages at or before it. */
  latest?: number;
  /** Most messages to return in total (newest first). @defaultValue all */
  limit?: number;
  signal?: AbortSignal;
  /** Told before each wait on a 429, e.g. to put it on a drill's timeline. */
  onRateLimited?: (waitMs: number, method: string) => void;
}

export interface PostMessageOptions {
  channel: string;
  text: string;
  blocks?: SlackBlock[];
  attachments?: SlackAttachment[];
  signal?: AbortSignal;
}

export interface PostMessageResult {
  channel: string;
  ts: string;
  message: SlackMessage;
}

export interface AuthTestResult {
  url: string;
  team: string;
  user: string;
  team_id: string;
  user_id: string;
  bot_id?: string;
}

export interface WaitForMessageOptions {
  /** Channel id, `name` or `#name`. */
  channel: string;
  match: MessageMatcher;
  /** Epoch ms; older messages never match (typically the moment the fault was injected). */
  oldest: number;
  /** Epoch ms; give up then. */
  deadline: number;
  /** @defaultValue 1000 */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  onRateLimited?: (waitMs: number, method: string) => void;
}

export interface SlackWaitResult {
  message: SlackMessage;
  channelId: string;
  /** Epoch ms when firedrill saw the message. */
  seenAt: number;
  /** Epoch ms when Slack stored it, from its `ts`. */
  postedAt: number;
  polls: number;
  /** Total time spent waiting out 429 `Retry-After`s: delay set by Slack, not the pipeline. */
  rateLimitedMs: number;
  rateLimited: boolean;
}

const MAX_PAGES = 100;

/**
 * firedrill's Slack Web API client. Only Slack's public methods, so the same code verifies
 * delivery against real Slack and against the local Slack-compatible sink.
 */
export class SlackClient {
  readonly #transport: SlackTransport;
  readonly #logger: Logger;
  readonly #channelTypes: string;
  // Channel ids never change, so a name resolved once stays resolved.
  readonly #channelIds = new Map<string, string>();

  constructor(opts: SlackClientOptions) {
    this.#logger = (opts.logger ?? pino({ enabled: false })).child({ component: 'slack-client' });
    this.#channelTypes = opts.channelTypes ?? 'public_channel';
    this.#transport = new SlackTransport({
      apiUrl: (opts.apiUrl ?? 'https://slack.com/api').replace(/\/+$/, ''),
      token: opts.token,
      headers: opts.headers ?? {},
      fetch: opts.fetch ?? globalThis.fetch,
      logger: this.#logger,
      maxRateLimitRetries: opts.maxRateLimitRetries ?? 3,
    });
  }

  async authTest(signal?: AbortSignal): Promise<AuthTestResult> {
    return (await this.#transport.call('auth.test', {}, { signal })) as unknown as AuthTestResult;
  }

  /** Every channel the token can list, following `next_cursor`; also fills the name cache. */
  async listChannels(signal?: AbortSignal): Promise<SlackChannel[]> {
    const channels: SlackChannel[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.#transport.call(
        'conversations.list',
        { types: this.#channelTypes, exclude_archived: true, limit: 200, cursor },
        { signal },
      );
      for (const c of (res.channels ?? []) as SlackChannel[]) {
        channels.push(c);
        this.#channelIds.set(c.name, c.id);
      }
      cursor = nextCursor(res);
      if (!cursor) break;
    }
    return channels;
  }

  /** A channel id from an id, `name` or `#name`; throws `SlackApiError` `channel_not_found`. */
  async resolveChannel(nameOrId: string, signal?: AbortSignal): Promise<string> {
    return this.#resolve(nameOrId, 'conversations.list', signal);
  }

  /** Messages newest first, following `next_cursor` until `limit` or the end. */
  async history(opts: HistoryOptions): Promise<SlackMessage[]> {
    const channelId = await this.#resolve(opts.channel, 'conversations.history', opts.signal);
    const tracker: RateLimitTracker = { waitedMs: 0, count: 0, onWait: opts.onRateLimited };
    return this.#history(channelId, opts, {
      signal: opts.signal,
      context: channelContext(opts.channel),
      tracker,
    });
  }

  async postMessage(opts: PostMessageOptions): Promise<PostMessageResult> {
    const { signal, ...body } = opts;
    const res = await this.#transport.call('chat.postMessage', body, {
      signal,
      context: channelContext(opts.channel),
    });
    return { channel: String(res.channel), ts: String(res.ts), message: res.message as SlackMessage };
  }

  /**
   * Polls `conversations.history` until a message posted after `oldest` matches, or the
   * deadline passes (then throws `SlackWaitTimeoutError` saying what it saw). 429s are waited
   * out per `Retry-After` and reported. A channel name not listed yet is looked up again on
   * each poll (the local sink creates a channel on its first webhook); any other Slack error
   * (`not_authed`, `not_in_channel`, …) is a configuration problem and throws at once.
   */
  async waitForMessage(opts: WaitForMessageOptions): Promise<SlackWaitResult> {
    const started = Date.now();
    const pollIntervalMs = opts.pollIntervalMs ?? 1000;
    const tracker: RateLimitTracker = { waitedMs: 0, count: 0, unbounded: true, onWait: opts.onRateLimited };
    const deadlineSignal = AbortSignal.timeout(Math.max(0, opts.deadline - started));
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadlineSignal]) : deadlineSignal;
    const seen = new Map<string, SlackMessage>();
    let channelId: string | undefined;
    let oldest = opts.oldest;
    let polls = 0;
    let lastError: string | undefined;
    const log = this.#logger.child({ channel: opts.channel });

    try {
      while (!signal.aborted) {
        try {
          channelId ??= await this.#resolve(opts.channel, 'conversations.history', signal);
          polls++;
          const page = await this.#history(
            channelId,
            { oldest },
            { signal, tracker, context: channelContext(opts.channel) },
          );
          const seenAt = Date.now();
          const fresh = page.filter((m) => !seen.has(m.ts)).sort((a, b) => compareTs(a.ts, b.ts));
          for (const m of fresh) seen.set(m.ts, m);
          log.debug({ polls, fresh: fresh.length, seen: seen.size }, 'polled slack history');
          // The earliest match is the notification that answers "when did it arrive".
          const hit = fresh.find((m) => matchesMessage(m, opts.match));
          if (hit) {
            return {
              message: hit,
              channelId,
              seenAt,
              postedAt: tsToEpochMs(hit.ts),
              polls,
              rateLimitedMs: tracker.waitedMs,
              rateLimited: tracker.count > 0,
            };
          }
          // Later polls only need what came after the newest message seen (inclusive, deduped).
          const newest = fresh.at(-1);
          if (newest) oldest = Math.max(oldest, tsToEpochMs(newest.ts));
        } catch (err) {
          if (signal.aborted) throw err;
          const notCreatedYet =
            channelId === undefined && err instanceof SlackApiError && err.error === 'channel_not_found';
          if (!notCreatedYet && !isRetryable(err)) throw err;
          lastError = err instanceof Error ? err.message : String(err);
          log.debug({ err: lastError }, 'slack poll failed; retrying');
        }
        await sleep(Math.max(0, Math.min(pollIntervalMs, opts.deadline - Date.now())), undefined, { signal });
      }
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      if (!deadlineSignal.aborted) throw err;
    }
    throw new SlackWaitTimeoutError({
      channel: opts.channel,
      channelId,
      looking: describeMatcher(opts.match),
      messagesSeen: seen.size,
      closest: closestMatch([...seen.values()], opts.match),
      polls,
      waitedMs: Date.now() - started,
      rateLimitedMs: tracker.waitedMs,
      rateLimited: tracker.count > 0,
      lastError,
    });
  }

  async #resolve(nameOrId: string, method: string, signal: AbortSignal | undefined): Promise<string> {
    const name = nameOrId.replace(/^#/, '');
    if (/^[CGD][A-Z0-9]{8,}$/.test(name)) return name;
    const cached = this.#channelIds.get(name);
    if (cached) return cached;
    await this.listChannels(signal);
    const id = this.#channelIds.get(name);
    if (id) return id;
    throw new SlackApiError(method, 'channel_not_found', { context: channelContext(nameOrId) });
  }

  async #history(
    channelId: string,
    range: { oldest?: number | undefined; latest?: number | undefined; limit?: number | undefined },
    call: CallOptions,
  ): Promise<SlackMessage[]> {
    const out: SlackMessage[] = [];
    const limit = range.limit;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.#transport.call(
        'conversations.history',
        {
          channel: channelId,
          oldest: range.oldest === undefined ? undefined : epochMsToTs(range.oldest),
          latest: range.latest === undefined ? undefined : epochMsToTs(range.latest),
          // Inclusive: a message stamped in the very millisecond of `oldest` still counts.
          inclusive: range.oldest !== undefined || range.latest !== undefined ? true : undefined,
          // Slack recommends pages of at most 200.
          limit: Math.min(limit ?? 200, 200),
          cursor,
        },
        call,
      );
      out.push(...((res.messages ?? []) as SlackMessage[]));
      if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
      cursor = res.has_more === false ? undefined : nextCursor(res);
      if (!cursor) break;
    }
    return out;
  }
}

function channelContext(nameOrId: string): string {
  return `channel "${nameOrId}"`;
}

/** Worth another poll: the network or Slack's 5xx; Slack's own refusals are config errors. */
function isRetryable(err: unknown): boolean {
  if (err instanceof SlackApiError) return err.error === 'invalid_response' || (err.status ?? 0) >= 500;
  return err instanceof TypeError; // fetch's "fetch failed"
}
