import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { SetupError } from '../core/errors.ts';
import type { Auth, Connection, TlsOptions } from './schema.ts';

export type FetchLike = typeof fetch;

/** Which backend a request went to, for errors a user can act on. */
export interface Backend {
  /** 'Prometheus', 'Alertmanager', 'Elasticsearch', … */
  name: string;
  /** Where it is configured, e.g. `environments.staging.prometheus`. */
  configPath?: string;
}

/** A connection made ready to send: URL without userinfo, auth as headers, TLS as a fetch. */
export interface HttpTarget {
  baseUrl: string;
  headers: Record<string, string>;
  fetch?: FetchLike;
  timeoutMs?: number;
  backend: Backend;
}

export function authHeader(auth: Auth): string {
  switch (auth.type) {
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    case 'apiKey':
      return `ApiKey ${auth.key}`;
  }
}

/**
 * Prints a URL without its secrets: userinfo (`https://user:pass@host`) becomes `***@`.
 * Everything firedrill prints back about a backend goes through here.
 */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (!u.username && !u.password) return raw;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return raw.replace(/\/\/[^/@\s]*@/, '//***@');
  }
}

/** The URL without userinfo (no trailing slash), and the auth: the given one, else the userinfo as basic. */
export function withoutUserinfo(conn: Pick<Connection, 'url' | 'auth'>): { url: string; auth?: Auth } {
  const u = new URL(conn.url);
  let auth = conn.auth;
  if (u.username || u.password) {
    auth ??= {
      type: 'basic',
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    };
    u.username = '';
    u.password = '';
  }
  return { url: u.toString().replace(/\/+$/, ''), ...(auth ? { auth } : {}) };
}

/**
 * Ready-to-send form of a connection. Userinfo in the URL is taken as basic auth (when no `auth`
 * is given) and removed from the URL, so it can never reach a log line or a report. TLS files are
 * read once here: a missing CA is a setup error before anything runs.
 */
export function httpTarget(conn: Connection, backend: Backend, root = process.cwd()): HttpTarget {
  const { url, auth } = withoutUserinfo(conn);
  const headers: Record<string, string> = { ...conn.headers };
  if (auth) headers.authorization = authHeader(auth);
  const fetch = conn.tls ? tlsFetch(conn.tls, backend, root) : undefined;
  return {
    baseUrl: url,
    headers,
    ...(fetch ? { fetch } : {}),
    ...(conn.timeoutMs ? { timeoutMs: conn.timeoutMs } : {}),
    backend,
  };
}

function readPem(file: string, what: string, backend: Backend, root: string): string {
  const abs = path.resolve(root, file);
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    const where = backend.configPath ? `${backend.configPath}.tls.${what}` : `${backend.name} tls.${what}`;
    throw new SetupError(`${where}: cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/**
 * undici's own fetch with an Agent per connection: Node's global fetch would take the dispatcher
 * too, but it bundles another undici version, and mixing the two breaks across Node releases.
 */
function tlsFetch(tls: TlsOptions, backend: Backend, root: string): FetchLike {
  const agent = new Agent({
    connect: {
      ...(tls.ca ? { ca: readPem(tls.ca, 'ca', backend, root) } : {}),
      ...(tls.cert ? { cert: readPem(tls.cert, 'cert', backend, root) } : {}),
      ...(tls.key ? { key: readPem(tls.key, 'key', backend, root) } : {}),
      ...(tls.serverName ? { servername: tls.serverName } : {}),
      rejectUnauthorized: !tls.insecureSkipVerify,
    },
  });
  return ((input: Parameters<FetchLike>[0], init?: Parameters<FetchLike>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    })) as unknown as FetchLike;
}

// Node's TLS error codes for a certificate the client refused (and the server's refusal of ours).
const CERT_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|ERR_SSL|ERR_TLS|EPROTO|HOSTNAME_MISMATCH/;

/** The code of a fetch failure's cause, when it is a TLS certificate problem. */
export function certificateErrorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && CERT_ERROR.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * The backend refused firedrill (401/403) or firedrill refused its certificate: the setup is
 * wrong, not the system under test, so the CLI exits 2, naming the backend and what it answered.
 */
export class BackendAccessError extends SetupError {
  override name = 'BackendAccessError';
  override readonly type = 'backend-access';
  constructor(
    readonly backend: Backend,
    readonly url: string,
    /** `HTTP 401`, `HTTP 403`, or the TLS error code. */
    readonly answered: string,
    hint: string,
  ) {
    const where = backend.configPath ? ` (${backend.configPath})` : '';
    super(`${backend.name}${where} at ${redactUrl(url)} ${answered}: ${hint}`);
  }

  static forStatus(backend: Backend, url: string, status: number, body: string): BackendAccessError {
    // A proxy's error page says it in its <title>; anything else, its first words.
    const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
    const said = (title ?? body).trim().replace(/\s+/g, ' ').slice(0, 120);
    const answered = `answered HTTP ${status}${said ? ` (${said})` : ''}`;
    const hint =
      status === 401
        ? 'the credentials were refused; check its auth (token, username/password or API key)'
        : 'the credentials lack permission for this request; check its auth and the account’s rights';
    return new BackendAccessError(backend, url, answered, hint);
  }

  static forCertificate(backend: Backend, url: string, code: string): BackendAccessError {
    return new BackendAccessError(
      backend,
      url,
      `failed TLS verification (${code})`,
      'give the CA that signed its certificate as tls.ca (or tls.serverName for a name mismatch)',
    );
  }
}
