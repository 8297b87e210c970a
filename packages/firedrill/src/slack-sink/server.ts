import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
import { type RateLimitConfig, RateLimiter } from './rate-limit.ts';
import { apiArguments, isRecord, rawBody, str } from './request-body.ts';
import { isValidChannelName } from './slack-ids.ts';
import { SinkStore, type StoredMessage } from './store.ts';
import { type ApiResponse, WEB_API_METHODS } from './web-api.ts';
import { handleWebhook } from './webhook.ts';

export type { RateLimitConfig, RateLimitRule } from './rate-limit.ts';
export type { SinkApiMessage, SinkChannel, StoredMessage } from './store.ts';

export interface SlackSinkOptions {
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** JSON-lines file: loaded on start, appended on every message, so messages survive a restart. */
  dataFile?: string;
  logger?: Logger;
  /** Channels (names without `#`) that exist from the start, as in a real workspace. */
  channels?: string[];
  /**
   * Create a channel on its first webhook (or `chat.postMessage` by name). When off, only
   * `channels` exist and a webhook to any other answers 404 `no_service`.
   * @defaultValue true when `channels` is not given
   */
  autoCreateChannels?: boolean;
  /** Accept only these bearer tokens (others get `invalid_auth`); any non-empty token when omitted. */
  tokens?: string[];
  /** @example { 'conversations.history': { perMinute: 1 } } */
  rateLimit?: RateLimitConfig;
  /**
   * How long a request may take to send its body; then it is answered 408 `request_timeout`,
   * Slack's error for POST data that is truncated.
   * @defaultValue 10000
   */
  bodyTimeoutMs?: number;
}

export interface SlackSink {
  /** Base URL: webhooks at `${url}/hooks/<channel>`, the Web API at `${url}/api`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A Slack-compatible sink: incoming webhooks in, Slack's Web API shapes out, so firedrill's
 * Slack verification runs unchanged against it and against real Slack.
 */
export async function startSlackSink(opts: SlackSinkOptions = {}): Promise<SlackSink> {
  const logger = (opts.logger ?? pino({ enabled: false })).child({ component: 'slack-sink' });
  const store = new SinkStore(opts.dataFile, logger);
  const loaded = store.load();
  for (const name of opts.channels ?? []) {
    const clean = name.replace(/^#/, '');
    if (!isValidChannelName(clean))
      throw new Error(`slack sink: invalid channel name ${JSON.stringify(name)}`);
    store.ensureChannel(clean);
  }
  const autoCreateChannels = opts.autoCreateChannels ?? opts.channels === undefined;
  const limiter = new RateLimiter(opts.rateLimit);
  const tokens = opts.tokens ? new Set(opts.tokens) : undefined;

  const bodyTimeoutMs = opts.bodyTimeoutMs ?? 10_000;

  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    // A URL the router cannot decode, or a channel name over its length limit.
    frameworkErrors: (err, req, reply) => refuse(req, reply, err.statusCode ?? 400),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Body too large, unparsable content type, a handler that threw: Slack's shapes, not Fastify's.
  app.setErrorHandler((err: { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) logger.error({ err, url: req.url }, 'slack sink request failed');
    return refuse(req, reply, status);
  });
  // Without this a client that sends less than its Content-Length holds the request for
  // Node's 300 s; the timer is on the socket, so it only runs while the body is incomplete.
  app.addHook('onRequest', (req, reply, done) => {
    req.raw.setTimeout(bodyTimeoutMs, () => {
      if (reply.sent) return req.raw.socket?.destroy();
      refuse(req, reply.header('connection', 'close'), 408);
    });
    done();
  });
  app.addHook('preHandler', (req, _reply, done) => {
    req.raw.setTimeout(0);
    done();
  });

  let url = '';

  app.post<{ Params: { channel: string } }>('/hooks/:channel', (req, reply) =>
    handleWebhook({ store, limiter, autoCreateChannels, logger }, req, reply),
  );

  const api = (req: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
    const { method } = req.params;
    const send = (body: ApiResponse) => reply.type('application/json; charset=utf-8').send(body);
    // Own properties only: `toString` or `__proto__` is no method (was a 500 or "[object Undefined]").
    const handler = Object.hasOwn(WEB_API_METHODS, method) ? WEB_API_METHODS[method] : undefined;
    if (!handler) return send({ ok: false, error: 'unknown_method', req_method: method });
    const parsed = apiArguments(req);
    if (!parsed.ok) return send({ ok: false, error: parsed.error });
    const auth = /^Bearer\s+(.*)$/i.exec(String(req.headers.authorization ?? ''));
    const token = auth?.[1]?.trim() || str(parsed.args, 'token');
    if (!token) return send({ ok: false, error: 'not_authed' });
    if (tokens && !tokens.has(token)) return send({ ok: false, error: 'invalid_auth' });
    const limited = limiter.take(method);
    if (!limited.ok) {
      reply.code(429).header('retry-after', String(limited.retryAfterSeconds));
      return send({ ok: false, error: 'ratelimited' });
    }
    const ua = req.headers['user-agent'];
    return send(
      handler(parsed.args, {
        store,
        autoCreateChannels,
        url,
        raw: rawBody(req),
        ...(ua ? { userAgent: ua } : {}),
      }),
    );
  };
  app.get('/api/:method', api);
  app.post('/api/:method', api);

  // Local-only helpers for tests and the stack; SlackClient never uses them.
  app.get('/_sink/health', async () => ({ ok: true }));
  app.get('/_sink/channels', async () => ({ channels: store.channels() }));
  app.post('/_sink/channels', async (req, reply) => {
    const body = parseJson(rawBody(req));
    const name = isRecord(body) && typeof body.name === 'string' ? body.name.replace(/^#/, '') : '';
    if (!isValidChannelName(name)) return reply.code(400).send({ error: 'invalid_name' });
    return { channel: store.ensureChannel(name) };
  });
  app.get<{ Querystring: { channel?: unknown; since?: unknown } }>('/_sink/messages', async (req, reply) => {
    const { channel, since } = req.query;
    if (!isOptionalString(channel)) return reply.code(400).send({ error: 'invalid_channel' });
    const found = channel ? store.find(channel) : undefined;
    if (channel && !found) return reply.code(404).send({ error: 'channel_not_found' });
    const sinceMs = typeof since === 'string' ? Number(since) : undefined;
    return { messages: store.all(found?.id, Number.isFinite(sinceMs) ? sinceMs : undefined).map(withBody) };
  });
  app.delete<{ Querystring: { channel?: unknown } }>('/_sink/messages', async (req, reply) => {
    const { channel } = req.query;
    if (!isOptionalString(channel)) return reply.code(400).send({ error: 'invalid_channel' });
    const found = channel ? store.find(channel) : undefined;
    if (channel && !found) return reply.code(404).send({ error: 'channel_not_found' });
    return { removed: store.clear(found?.id) };
  });

  app.setNotFoundHandler((req, reply) => {
    // Slack answers a webhook URL it does not know with 404 no_service.
    if (req.url.startsWith('/hooks'))
      return reply.code(404).type('text/plain; charset=utf-8').send('no_service');
    return reply.code(404).send({ ok: false, error: 'not_found' });
  });

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(address.address)
    ? '127.0.0.1'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  url = `http://${host}:${address.port}`;
  logger.debug({ url, ...loaded, autoCreateChannels }, 'slack sink started');
  return { url, close: () => app.close() };
}

const isOptionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

/**
 * A request refused before a route could judge it, in the shape of the part it was meant for:
 * a webhook gets Slack's plain-text `invalid_payload` (an unknown webhook URL `no_service`), the
 * Web API `{ ok: false, error }` with Slack's generic error names.
 */
function refuse(req: FastifyRequest, reply: FastifyReply, status: number): FastifyReply {
  if (req.url.startsWith('/hooks')) {
    const text = status === 404 || status === 414 || status === 400 ? 'no_service' : 'invalid_payload';
    return reply
      .code(status === 414 || status === 400 ? 404 : status)
      .type('text/plain; charset=utf-8')
      .send(text);
  }
  const error =
    status === 408
      ? 'request_timeout'
      : status === 413
        ? 'request_too_large'
        : status === 415
          ? 'invalid_post_type'
          : status >= 500
            ? 'internal_error'
            : 'invalid_request';
  return reply.code(status).type('application/json; charset=utf-8').send({ ok: false, error });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function withBody(m: StoredMessage): StoredMessage & { body: unknown } {
  return { ...m, body: parseJson(m.raw) };
}
