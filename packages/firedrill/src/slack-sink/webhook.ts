import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RateLimiter } from './rate-limit.ts';
import { isRecord, parseBody, rawBody } from './request-body.ts';
import { isValidChannelName, SINK_WEBHOOK_BOT_ID } from './slack-ids.ts';
import type { SinkApiMessage, SinkStore } from './store.ts';

/** Slack refuses more attachments than this in one message. */
const MAX_ATTACHMENTS = 100;

export interface WebhookDeps {
  store: SinkStore;
  limiter: RateLimiter;
  autoCreateChannels: boolean;
  logger: Logger;
}

/**
 * `POST /hooks/:channel` — an incoming webhook. As with a real Slack app webhook the URL is
 * bound to one channel; the body's own `channel` (Alertmanager always sends one) is recorded
 * but does not redirect the message. Errors are Slack's plain-text strings and status codes.
 */
export async function handleWebhook(
  deps: WebhookDeps,
  req: FastifyRequest<{ Params: { channel: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const receivedAt = Date.now();
  const name = req.params.channel.replace(/^#/, '');
  const existing = deps.store.byName(name);
  // An unknown channel means no webhook with this URL exists, which Slack answers with no_service.
  if (!existing && !(deps.autoCreateChannels && isValidChannelName(name)))
    return plain(reply, 404, 'no_service');

  const limited = deps.limiter.take('incoming-webhook', name, receivedAt);
  if (!limited.ok) {
    return plain(reply.header('retry-after', String(limited.retryAfterSeconds)), 429, 'rate_limited');
  }

  const parsed = parseBody(req);
  let body: unknown;
  if (parsed.kind === 'json') body = parsed.value;
  else if (parsed.kind === 'form' && parsed.value.payload !== undefined) {
    // Slack's older documented form: `payload=<url-encoded JSON>`.
    try {
      body = JSON.parse(parsed.value.payload);
    } catch {
      return plain(reply, 400, 'invalid_payload');
    }
  }
  if (!isRecord(body)) return plain(reply, 400, 'invalid_payload');

  const { attachments, blocks } = body;
  if (attachments !== undefined && !(Array.isArray(attachments) && attachments.every(isRecord))) {
    return plain(reply, 400, 'invalid_payload');
  }
  if (blocks !== undefined && !(Array.isArray(blocks) && blocks.every(isRecord))) {
    return plain(reply, 400, 'invalid_payload');
  }
  if ((attachments?.length ?? 0) > MAX_ATTACHMENTS) return plain(reply, 400, 'too_many_attachments');
  const text = typeof body.text === 'string' ? body.text : '';
  if (!text.trim() && !attachments?.length && !blocks?.length) return plain(reply, 400, 'no_text');

  const target = existing ?? deps.store.ensureChannel(name);
  const message: Omit<SinkApiMessage, 'ts'> = {
    type: 'message',
    subtype: 'bot_message',
    text,
    bot_id: SINK_WEBHOOK_BOT_ID,
    username: typeof body.username === 'string' && body.username ? body.username : 'incoming-webhook',
  };
  const icons: Record<string, string> = {};
  if (typeof body.icon_emoji === 'string' && body.icon_emoji) icons.emoji = body.icon_emoji;
  if (typeof body.icon_url === 'string' && body.icon_url) icons.image_48 = body.icon_url;
  if (Object.keys(icons).length) message.icons = icons;
  // Slack numbers attachments in what it stores; keeping that makes history look the same.
  if (attachments?.length) message.attachments = attachments.map((a, i) => ({ id: i + 1, ...a }));
  if (blocks?.length) message.blocks = blocks;

  const ua = req.headers['user-agent'];
  const stored = deps.store.add(
    target,
    {
      receivedAt,
      source: 'webhook',
      raw: rawBody(req),
      ...(ua ? { userAgent: ua } : {}),
      ...(typeof body.channel === 'string' && body.channel ? { bodyChannel: body.channel } : {}),
    },
    message,
  );
  deps.logger.debug(
    { channel: target.name, ts: stored.ts, userAgent: ua, bodyChannel: stored.bodyChannel },
    'webhook message received',
  );
  return plain(reply, 200, 'ok');
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(text);
}
