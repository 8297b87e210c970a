import type { Auth, ConnectionInput, TlsOptions } from './schema.ts';

export interface FromEnvOptions {
  /** URL when `<PREFIX>_URL` is not set; without one, an unset URL means "no such backend". */
  url?: string;
  /** Read variables from here instead of `process.env` (tests). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A backend connection read from environment variables with one prefix, the way CI secrets are
 * usually handed over:
 *
 * | variable | becomes |
 * |---|---|
 * | `<PREFIX>_URL` | `url` (userinfo in it is taken as basic auth, and never printed) |
 * | `<PREFIX>_TOKEN` | `auth: { type: 'bearer', token }` |
 * | `<PREFIX>_USERNAME`, `<PREFIX>_PASSWORD` | `auth: { type: 'basic', … }` |
 * | `<PREFIX>_API_KEY` | `auth: { type: 'apiKey', key }` (Elasticsearch/OpenSearch) |
 * | `<PREFIX>_HEADERS` | extra headers, `Name=value` pairs separated by `,` (e.g. `X-Scope-OrgID=team-a`) |
 * | `<PREFIX>_CA_FILE`, `<PREFIX>_CERT_FILE`, `<PREFIX>_KEY_FILE` | `tls.ca`, `tls.cert`, `tls.key` |
 * | `<PREFIX>_INSECURE_SKIP_VERIFY=true` | `tls.insecureSkipVerify` |
 *
 * Returns `undefined` when there is no URL, so an environment simply has no such backend.
 * Half-given auth (a username without a password) is left for config validation to name.
 *
 * @example prometheus: connectionFromEnv('PROMETHEUS', { url: 'http://localhost:9090' })
 */
export function connectionFromEnv(prefix: string, opts: FromEnvOptions = {}): ConnectionInput | undefined {
  const env = opts.env ?? process.env;
  const get = (name: string) => {
    const v = env[`${prefix}_${name}`];
    return v === undefined || v === '' ? undefined : v;
  };
  const url = get('URL') ?? opts.url;
  if (!url) return undefined;
  const auth = authFromEnv(get);
  const headers = parseHeaders(get('HEADERS'));
  const tls: Partial<TlsOptions> = {
    ...(get('CA_FILE') ? { ca: get('CA_FILE')! } : {}),
    ...(get('CERT_FILE') ? { cert: get('CERT_FILE')! } : {}),
    ...(get('KEY_FILE') ? { key: get('KEY_FILE')! } : {}),
    ...(get('INSECURE_SKIP_VERIFY') === 'true' ? { insecureSkipVerify: true } : {}),
  };
  if (!auth && !headers && Object.keys(tls).length === 0) return url;
  return {
    url,
    ...(auth ? { auth } : {}),
    ...(headers ? { headers } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

function authFromEnv(get: (name: string) => string | undefined): Auth | undefined {
  const token = get('TOKEN');
  if (token) return { type: 'bearer', token };
  const key = get('API_KEY');
  if (key) return { type: 'apiKey', key };
  const username = get('USERNAME');
  const password = get('PASSWORD');
  // A password alone still becomes basic auth, so validation can say that the username is missing.
  if (username !== undefined || password !== undefined)
    return { type: 'basic', username: username ?? '', password: password ?? '' };
  return undefined;
}

function parseHeaders(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
