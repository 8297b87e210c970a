import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { jsonish } from './arbitraries.ts';

/** What a server answered, or that it did not answer in time (a hang) or dropped the connection. */
export type Answer =
  | { kind: 'response'; status: number; contentType: string; body: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'dropped'; error: string; ms: number };

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One request with node:http (fetch refuses some methods and headers), bounded by `deadlineMs`. */
export function send(base: string, req: RawRequest, deadlineMs: number): Promise<Answer> {
  const u = new URL(base);
  const started = Date.now();
  return new Promise((resolve) => {
    const r = request(
      {
        host: u.hostname,
        port: u.port,
        method: req.method,
        path: req.path,
        // node:http frames an OPTIONS or DELETE body by neither length nor chunks: the server
        // would read the body as a second request.
        headers:
          req.body === undefined
            ? req.headers
            : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Date.now() - started,
          }),
        );
        res.on('error', (e) => resolve({ kind: 'dropped', error: e.message, ms: Date.now() - started }));
      },
    );
    r.setTimeout(deadlineMs, () => {
      resolve({ kind: 'timeout', ms: Date.now() - started });
      r.destroy();
    });
    r.on('error', (e) => resolve({ kind: 'dropped', error: e.message, ms: Date.now() - started }));
    r.end(req.body);
  });
}

/**
 * Bytes written straight to the socket: a body shorter than its Content-Length, broken chunked
 * encoding, no HTTP at all. `hangUp` closes the socket after writing, as a crashed client does.
 */
export function sendRaw(base: string, bytes: string, deadlineMs: number, hangUp = false): Promise<Answer> {
  const u = new URL(base);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(bytes);
      if (hangUp) socket.end();
    });
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ kind: 'timeout', ms: Date.now() - started });
    }, deadlineMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) return resolve({ kind: 'dropped', error: text.slice(0, 80), ms: Date.now() - started });
      const contentType = /^content-type:\s*(.*)$/im.exec(m[2]!)?.[1]?.trim() ?? '';
      const body = /^transfer-encoding:\s*chunked/im.test(m[2]!) ? unchunk(m[3]!) : m[3]!;
      resolve({ kind: 'response', status: Number(m[1]), contentType, body, ms: Date.now() - started });
    });
  });
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const m = /^([0-9a-f]+)\r\n/i.exec(rest);
    const size = m ? Number.parseInt(m[1]!, 16) : 0;
    if (!m || size === 0) return out;
    out += rest.slice(m[0].length, m[0].length + size);
    rest = rest.slice(m[0].length + size + 2);
  }
}

/** Header values node:http will send (no control characters). */
export const headerValue: fc.Arbitrary<string> = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=klingon',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '///',
    ';',
    '',
  ),
  headerValue,
);

export const method: fc.Arbitrary<string> = fc.constantFrom(
  'GET',
  'POST',
  'POST',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'PROPFIND',
);

/** Bodies: JSON of any shape, mutations of a valid one, text that is almost JSON or a form, huge. */
export function bodyArb(valid: unknown[]): fc.Arbitrary<string> {
  const validText = fc.constantFrom(...valid.map((v) => JSON.stringify(v)));
  return fc.oneof(
    { weight: 3, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? '') },
    { weight: 2, arbitrary: validText.chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 4 })
        .map((d) => new URLSearchParams(d).toString()),
    },
    { weight: 1, arbitrary: fc.constantFrom('payload=%7B%22text', 'a=%ZZ&b', '%', '&&&=', 'payload=null') },
    { weight: 1, arbitrary: fc.constant('') },
    // Over the 1 MiB limits of both servers.
    {
      weight: 1,
      arbitrary: fc.constantFrom(`{"text":"${'x'.repeat(1_100_000)}"}`, `[${'1,'.repeat(600_000)}1]`),
    },
  );
}
