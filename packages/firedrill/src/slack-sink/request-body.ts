import type { FastifyRequest } from 'fastify';

/**
 * The sink keeps every body as the raw string (stored with each message) and parses it itself:
 * Slack answers a malformed body with its own error strings, not with a framework's 400 page.
 */

export type ParsedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | { kind: 'invalid' };

export function rawBody(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : '';
}

export function parseBody(req: FastifyRequest): ParsedBody {
  const raw = rawBody(req);
  if (!raw.trim()) return { kind: 'empty' };
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { kind: 'form', value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  // Alertmanager and Grafana send application/json; curl users often forget the header.
  try {
    return { kind: 'json', value: JSON.parse(raw) as unknown };
  } catch {
    return { kind: 'invalid' };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Query string merged with a JSON or form body, as Slack reads Web API arguments. */
export function apiArguments(
  req: FastifyRequest,
): { ok: true; args: Record<string, unknown> } | { ok: false; error: string } {
  const query = isRecord(req.query) ? req.query : {};
  const body = parseBody(req);
  if (body.kind === 'invalid') return { ok: false, error: 'invalid_json' };
  if (body.kind === 'json' && !isRecord(body.value)) return { ok: false, error: 'invalid_json' };
  const fromBody =
    body.kind === 'json' || body.kind === 'form' ? (body.value as Record<string, unknown>) : {};
  return { ok: true, args: { ...query, ...fromBody } };
}

/** A string argument, or undefined when absent or empty. */
export function str(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Slack's booleans arrive as `true`, `1`, `"true"` or `"1"`. */
export function bool(args: Record<string, unknown>, key: string): boolean {
  const v = args[key];
  return v === true || v === 1 || v === 'true' || v === '1';
}

/** `attachments` / `blocks`: an array, or (form encoding) an array as a JSON string. */
export function jsonArray(
  args: Record<string, unknown>,
  key: string,
): { ok: true; value: Record<string, unknown>[] | undefined } | { ok: false } {
  let v = args[key];
  if (v === undefined || v === null || v === '') return { ok: true, value: undefined };
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return { ok: false };
    }
  }
  if (!Array.isArray(v) || !v.every(isRecord)) return { ok: false };
  return { ok: true, value: v };
}
