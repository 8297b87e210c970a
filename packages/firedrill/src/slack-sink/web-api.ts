import { bool, jsonArray, str } from './request-body.ts';
import {
  isValidChannelName,
  looksLikeConversationId,
  SINK_APP_ID,
  SINK_BOT_ID,
  SINK_TEAM_ID,
  SINK_USER_ID,
  tsToMicros,
} from './slack-ids.ts';
import type { SinkApiMessage, SinkChannel, SinkStore } from './store.ts';

/**
 * The Web API methods the sink answers, in the response shapes of Slack's method docs. Slack
 * reports failures as HTTP 200 with `{ ok: false, error }`; the server adds auth and 429s.
 */

export type ApiResponse = { ok: boolean; error?: string } & Record<string, unknown>;

export interface ApiContext {
  store: SinkStore;
  autoCreateChannels: boolean;
  /** The sink's own base URL, reported by `auth.test` as the workspace URL. */
  url: string;
  userAgent?: string;
  raw: string;
}

type Handler = (args: Record<string, unknown>, ctx: ApiContext) => ApiResponse;

const fail = (error: string, extra: Record<string, unknown> = {}): ApiResponse => ({
  ok: false,
  error,
  ...extra,
});

// Cursors are opaque to clients; Slack's are base64 of `team:C…` / `next_ts:…`, so are these.
const encodeCursor = (s: string) => Buffer.from(s).toString('base64');
const decodeCursor = (c: string, prefix: string): string | undefined => {
  const s = Buffer.from(c, 'base64').toString('utf8');
  return s.startsWith(prefix) ? s.slice(prefix.length) : undefined;
};

function limitArg(args: Record<string, unknown>, fallback: number, max: number): number {
  const n = Number(str(args, 'limit') ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

function channelObject(c: SinkChannel): Record<string, unknown> {
  const empty = { value: '', creator: '', last_set: 0 };
  return {
    id: c.id,
    name: c.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: false,
    created: c.created,
    is_archived: false,
    is_general: false,
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_member: true,
    num_members: 1,
    topic: empty,
    purpose: empty,
    previous_names: [],
  };
}

const conversationsList: Handler = (args, { store }) => {
  const all = store.channels();
  const limit = limitArg(args, 100, 1000);
  const cursor = str(args, 'cursor');
  let start = 0;
  if (cursor) {
    const id = decodeCursor(cursor, 'team:');
    start = all.findIndex((c) => c.id === id);
    if (start < 0) return fail('invalid_cursor');
  }
  const page = all.slice(start, start + limit);
  const next = all[start + limit];
  return {
    ok: true,
    channels: page.map(channelObject),
    response_metadata: { next_cursor: next ? encodeCursor(`team:${next.id}`) : '' },
  };
};

const conversationsInfo: Handler = (args, { store }) => {
  const id = str(args, 'channel');
  const channel = id ? store.byId(id) : undefined;
  return channel ? { ok: true, channel: channelObject(channel) } : fail('channel_not_found');
};

const conversationsHistory: Handler = (args, { store }) => {
  // Real Slack takes only ids here; a name is channel_not_found, which the client must handle.
  const id = str(args, 'channel');
  const channel = id ? store.byId(id) : undefined;
  if (!channel) return fail('channel_not_found');
  const oldestArg = str(args, 'oldest');
  const latestArg = str(args, 'latest');
  const oldest = oldestArg === undefined ? undefined : tsToMicros(oldestArg);
  const latest = latestArg === undefined ? undefined : tsToMicros(latestArg);
  if (oldestArg !== undefined && oldest === undefined) return fail('invalid_ts_oldest');
  if (latestArg !== undefined && latest === undefined) return fail('invalid_ts_latest');
  const cursor = str(args, 'cursor');
  let before: number | undefined;
  if (cursor) {
    before = tsToMicros(decodeCursor(cursor, 'next_ts:') ?? '');
    if (before === undefined) return fail('invalid_cursor');
  }
  const { messages, hasMore } = store.history(channel.id, {
    ...(oldest !== undefined ? { oldest } : {}),
    ...(latest !== undefined ? { latest } : {}),
    ...(before !== undefined ? { before } : {}),
    inclusive: bool(args, 'inclusive'),
    limit: limitArg(args, 100, 999),
  });
  const last = messages.at(-1);
  return {
    ok: true,
    messages: messages.map((m) => m.message),
    has_more: hasMore,
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: hasMore && last ? encodeCursor(`next_ts:${last.ts}`) : '' },
  };
};

const chatPostMessage: Handler = (args, ctx) => {
  const target = str(args, 'channel');
  if (!target) return fail('channel_not_found');
  let channel = ctx.store.find(target);
  const name = target.replace(/^#/, '');
  if (!channel && ctx.autoCreateChannels && !looksLikeConversationId(name) && isValidChannelName(name)) {
    channel = ctx.store.ensureChannel(name);
  }
  if (!channel) return fail('channel_not_found');
  const attachments = jsonArray(args, 'attachments');
  if (!attachments.ok) return fail('invalid_attachments');
  const blocks = jsonArray(args, 'blocks');
  if (!blocks.ok) return fail('invalid_blocks');
  const text = str(args, 'text') ?? '';
  if (!text && !attachments.value?.length && !blocks.value?.length) return fail('no_text');

  const message: Omit<SinkApiMessage, 'ts'> = {
    type: 'message',
    text,
    user: SINK_USER_ID,
    bot_id: SINK_BOT_ID,
    app_id: SINK_APP_ID,
    team: SINK_TEAM_ID,
  };
  const username = str(args, 'username');
  if (username) Object.assign(message, { subtype: 'bot_message', username });
  if (attachments.value?.length) message.attachments = attachments.value.map((a, i) => ({ id: i + 1, ...a }));
  if (blocks.value?.length) message.blocks = blocks.value;
  const stored = ctx.store.add(
    channel,
    {
      receivedAt: Date.now(),
      source: 'chat.postMessage',
      raw: ctx.raw,
      bodyChannel: target,
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
    },
    message,
  );
  return { ok: true, channel: channel.id, ts: stored.ts, message: stored.message };
};

const authTest: Handler = (_args, { url }) => ({
  ok: true,
  url: `${url}/`,
  team: 'firedrill sink',
  user: 'firedrill',
  team_id: SINK_TEAM_ID,
  user_id: SINK_USER_ID,
  bot_id: SINK_BOT_ID,
  is_enterprise_install: false,
});

export const WEB_API_METHODS: Readonly<Record<string, Handler>> = {
  'auth.test': authTest,
  'conversations.list': conversationsList,
  'conversations.info': conversationsInfo,
  'conversations.history': conversationsHistory,
  'chat.postMessage': chatPostMessage,
};
