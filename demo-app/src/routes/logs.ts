import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AuthStore, identify } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { LOG_LEVELS, type LogLevel } from '../options.ts';

export const MAX_LOG_ENTRIES = 100;
export const MAX_LOG_BYTES = 64 * 1024;
const MAX_MSG_CHARS = 2000;

// Keys the server owns on every line; a browser entry cannot overwrite them.
const RESERVED = new Set(['level', 'time', 'msg', 'service', 'environment', 'source', 'user_id']);

interface ShippedEntry {
  level: LogLevel;
  msg: string;
  time: string;
  fields: Record<string, unknown>;
}

function normalise(raw: unknown, receivedAt: string): ShippedEntry | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'must be an object';
  const entry = raw as Record<string, unknown>;
  const level = LOG_LEVELS.includes(entry.level as LogLevel) ? (entry.level as LogLevel) : 'info';
  const msg = typeof entry.msg === 'string' ? entry.msg.slice(0, MAX_MSG_CHARS) : '';
  // The browser's own clock is kept when it is a real date; otherwise the time it reached us.
  const parsed =
    typeof entry.time === 'string' || typeof entry.time === 'number' ? new Date(entry.time) : undefined;
  const time = parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : receivedAt;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (!RESERVED.has(key)) fields[key] = value;
  fields.session_id = typeof entry.session_id === 'string' ? entry.session_id.slice(0, 100) : 'unknown';
  fields.page = typeof entry.page === 'string' ? entry.page.slice(0, 300) : 'unknown';
  return { level, msg, time, fields };
}

/**
 * `POST /api/logs`: the browser's log batches, written to the same stream as backend logs with
 * `source: "frontend"`. No sign-in needed (the login page logs too); a session adds `user_id`.
 */
export function registerLogRoutes(
  app: FastifyInstance,
  deps: { auth: AuthStore; frontendLogger: Logger },
): void {
  const { auth, frontendLogger } = deps;

  app.register(async (scope) => {
    // navigator.sendBeacon posts a string as text/plain; the payload is JSON all the same.
    scope.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new HttpError(400, 'invalid_json', 'request body is not valid JSON'), undefined);
      }
    });

    // Log entries quote bad input on purpose (the username someone typed, a rejected title); they
    // are stored, never interpreted, so the body is not inspected for attack patterns.
    const config = { inspectBody: false };
    scope.post('/api/logs', { bodyLimit: MAX_LOG_BYTES, config }, async (request, reply) => {
      const body = request.body as { logs?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !Array.isArray(body.logs)) {
        throw new HttpError(400, 'validation_error', 'logs: must be an array of log entries');
      }
      if (body.logs.length > MAX_LOG_ENTRIES) {
        throw new HttpError(400, 'validation_error', `logs: at most ${MAX_LOG_ENTRIES} entries per batch`);
      }
      const receivedAt = new Date().toISOString();
      const entries = body.logs.map((raw, i) => {
        const entry = normalise(raw, receivedAt);
        if (typeof entry === 'string') throw new HttpError(400, 'validation_error', `logs.${i}: ${entry}`);
        return entry;
      });
      const user = identify(auth, request);
      const log = user ? frontendLogger.child({ user_id: String(user.id) }) : frontendLogger;
      for (const { level, msg, time, fields } of entries) log[level]({ time, ...fields }, msg);
      return reply.code(202).send({ accepted: entries.length });
    });
  });
}
