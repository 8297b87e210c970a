import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { channelIdFor, microsToTs, tsToMicros } from './slack-ids.ts';

/** A message as Slack's Web API returns it (`conversations.history`, `chat.postMessage`). */
export interface SinkApiMessage {
  type: 'message';
  ts: string;
  text: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  username?: string;
  icons?: Record<string, string>;
  attachments?: Record<string, unknown>[];
  blocks?: Record<string, unknown>[];
}

export interface SinkChannel {
  id: string;
  name: string;
  /** Epoch seconds, as Slack reports `created`. */
  created: number;
}

/** What the sink keeps per message: the API view plus what a latency measurement needs. */
export interface StoredMessage {
  channelId: string;
  channelName: string;
  ts: string;
  /** Epoch ms when the sink received the request. */
  receivedAt: number;
  source: 'webhook' | 'chat.postMessage';
  userAgent?: string;
  /** The `channel` field of the posted body; the webhook URL decided where it went. */
  bodyChannel?: string;
  /** The request body exactly as received. */
  raw: string;
  message: SinkApiMessage;
}

type Line = ({ kind: 'channel' } & SinkChannel) | ({ kind: 'message' } & StoredMessage);

export interface HistoryQuery {
  oldest?: number;
  latest?: number;
  inclusive: boolean;
  limit: number;
  /** Exclusive upper bound in microseconds, decoded from a cursor. */
  before?: number;
}

/**
 * Channels and messages, optionally persisted as JSON lines so a restarted sink still answers
 * `conversations.history` for what it received before (a drill may span a sink restart).
 */
export class SinkStore {
  readonly #channels = new Map<string, SinkChannel>();
  readonly #messages = new Map<string, StoredMessage[]>();
  #lastMicros = 0;

  constructor(
    private readonly dataFile: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** Reads the data file if there is one; a torn last line (crash mid-write) is skipped. */
  load(): { channels: number; messages: number } {
    if (!this.dataFile || !existsSync(this.dataFile)) return { channels: 0, messages: 0 };
    let messages = 0;
    for (const [i, text] of readFileSync(this.dataFile, 'utf8').split('\n').entries()) {
      if (!text.trim()) continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        this.logger.warn(
          { dataFile: this.dataFile, line: i + 1 },
          'skipping unreadable line in sink data file',
        );
        continue;
      }
      if (line.kind === 'channel') {
        const { kind: _k, ...channel } = line;
        this.#channels.set(channel.name, channel);
      } else if (line.kind === 'message') {
        const { kind: _k, ...msg } = line;
        this.#list(msg.channelId).push(msg);
        this.#lastMicros = Math.max(this.#lastMicros, tsToMicros(msg.ts) ?? 0);
        messages++;
      }
    }
    for (const list of this.#messages.values()) list.sort(byTs);
    return { channels: this.#channels.size, messages };
  }

  channels(): SinkChannel[] {
    return [...this.#channels.values()].sort((a, b) => a.created - b.created || a.name.localeCompare(b.name));
  }

  byName(name: string): SinkChannel | undefined {
    return this.#channels.get(name);
  }

  byId(id: string): SinkChannel | undefined {
    return this.channels().find((c) => c.id === id);
  }

  /** By id, `name` or `#name`. */
  find(nameOrId: string): SinkChannel | undefined {
    return this.byId(nameOrId) ?? this.byName(nameOrId.replace(/^#/, ''));
  }

  ensureChannel(name: string): SinkChannel {
    const existing = this.#channels.get(name);
    if (existing) return existing;
    const channel = { id: channelIdFor(name), name, created: Math.floor(Date.now() / 1000) };
    this.#channels.set(name, channel);
    this.#append({ kind: 'channel', ...channel });
    return channel;
  }

  /**
   * Stores a message under a fresh `ts`. Slack's `ts` is unique per channel and increases;
   * two webhooks in the same millisecond must still get distinct ones, hence the +1 µs bump.
   */
  add(
    channel: SinkChannel,
    fields: Omit<StoredMessage, 'channelId' | 'channelName' | 'ts' | 'message'>,
    message: Omit<SinkApiMessage, 'ts'>,
  ): StoredMessage {
    const micros = Math.max(fields.receivedAt * 1000, this.#lastMicros + 1);
    this.#lastMicros = micros;
    const ts = microsToTs(micros);
    const stored: StoredMessage = {
      channelId: channel.id,
      channelName: channel.name,
      ts,
      ...fields,
      message: { ...message, ts },
    };
    this.#list(channel.id).push(stored);
    this.#append({ kind: 'message', ...stored });
    return stored;
  }

  /** Newest first, like `conversations.history`. */
  history(channelId: string, q: HistoryQuery): { messages: StoredMessage[]; hasMore: boolean } {
    const inRange = (this.#messages.get(channelId) ?? []).filter((m) => {
      const t = tsToMicros(m.ts) ?? 0;
      if (q.oldest !== undefined && (q.inclusive ? t < q.oldest : t <= q.oldest)) return false;
      if (q.latest !== undefined && (q.inclusive ? t > q.latest : t >= q.latest)) return false;
      return q.before === undefined || t < q.before;
    });
    inRange.reverse();
    return { messages: inRange.slice(0, q.limit), hasMore: inRange.length > q.limit };
  }

  /** Oldest first, across channels unless one is given; for the `/_sink` helpers. */
  all(channelId?: string, sinceMs?: number): StoredMessage[] {
    const lists = channelId ? [this.#messages.get(channelId) ?? []] : [...this.#messages.values()];
    return lists
      .flat()
      .filter((m) => sinceMs === undefined || m.receivedAt >= sinceMs)
      .sort(byTs);
  }

  /** Drops messages (of one channel, or all) and rewrites the data file to match. */
  clear(channelId?: string): number {
    let removed = 0;
    for (const [id, list] of this.#messages) {
      if (channelId && id !== channelId) continue;
      removed += list.length;
      this.#messages.delete(id);
    }
    this.#rewrite();
    return removed;
  }

  #list(channelId: string): StoredMessage[] {
    let list = this.#messages.get(channelId);
    if (!list) {
      list = [];
      this.#messages.set(channelId, list);
    }
    return list;
  }

  // Synchronous on purpose: a message is on disk before the webhook is answered with `ok`,
  // and appends cannot interleave. The sink handles a few messages a second at most.
  #append(line: Line): void {
    if (!this.dataFile) return;
    mkdirSync(dirname(this.dataFile), { recursive: true });
    appendFileSync(this.dataFile, `${JSON.stringify(line)}\n`);
  }

  #rewrite(): void {
    if (!this.dataFile) return;
    const lines = [
      ...this.channels().map((c) => JSON.stringify({ kind: 'channel', ...c })),
      ...this.all().map((m) => JSON.stringify({ kind: 'message', ...m })),
    ];
    mkdirSync(dirname(this.dataFile), { recursive: true });
    const tmp = `${this.dataFile}.tmp`;
    writeFileSync(tmp, lines.map((l) => `${l}\n`).join(''));
    renameSync(tmp, this.dataFile);
  }
}

function byTs(a: StoredMessage, b: StoredMessage): number {
  return (tsToMicros(a.ts) ?? 0) - (tsToMicros(b.ts) ?? 0);
}
