import path from 'node:path';
import { environmentConfig } from '../config/environment.ts';
import type { Config } from '../config/schema.ts';
import { authHeader, withoutUserinfo } from '../connections/http.ts';
import type { Connection } from '../connections/schema.ts';
import { SetupError } from '../core/errors.ts';

/** Where load goes and where its metrics go, for one environment of the config. */
export interface LoadTarget {
  environment: string;
  baseUrl: string;
  credentials?: { username: string; password: string };
  /** Prometheus with its remote-write receiver on; k6 streams its metrics there when set. */
  prometheusUrl?: string;
  /** k6's own settings for that connection's auth, headers and CA (no secrets in argv). */
  prometheusEnv?: Record<string, string>;
  location: string;
}

/**
 * A connection as k6's Prometheus remote-write output takes it: basic auth in its own variables,
 * any other auth and extra headers as `K6_PROMETHEUS_RW_HEADERS_<name>`, the CA through Go's
 * `SSL_CERT_FILE`. k6 has no client-certificate setting for this output, so mutual TLS is refused.
 */
export function k6RemoteWrite(conn: Connection, root: string): { url: string; env: Record<string, string> } {
  if (conn.tls?.cert)
    throw new LoadTargetError(
      'k6 remote write cannot present a client certificate (tls.cert): use a token or basic auth',
    );
  const { url, auth } = withoutUserinfo(conn);
  const env: Record<string, string> = {};
  if (auth?.type === 'basic') {
    env.K6_PROMETHEUS_RW_USERNAME = auth.username;
    env.K6_PROMETHEUS_RW_PASSWORD = auth.password;
  } else if (auth) {
    env.K6_PROMETHEUS_RW_HEADERS_Authorization = authHeader(auth);
  }
  for (const [name, value] of Object.entries(conn.headers)) env[`K6_PROMETHEUS_RW_HEADERS_${name}`] = value;
  if (conn.tls?.ca) env.SSL_CERT_FILE = path.resolve(root, conn.tls.ca);
  if (conn.tls?.insecureSkipVerify) env.K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY = 'true';
  return { url, env };
}

export class LoadTargetError extends SetupError {
  override name = 'LoadTargetError';
  override readonly type = 'load-target';
}

/** `stack: true` environments take their URLs from the running local stack's state file. */
export async function resolveLoadTarget(
  config: Config,
  name: string,
  stateDir: string,
  root = process.cwd(),
): Promise<LoadTarget> {
  const env = environmentConfig(config, name, (m) => new LoadTargetError(m));
  const common = {
    environment: name,
    location: env.location,
    ...(env.credentials ? { credentials: env.credentials } : {}),
  };
  if (!env.stack) {
    return {
      ...common,
      baseUrl: env.baseUrl!,
      ...(env.prometheus ? remoteWrite(env.prometheus, root) : {}),
    };
  }
  const { readStackState, stackUrls } = await import('../stack/index.ts');
  const state = await readStackState(stateDir);
  if (!state) {
    throw new LoadTargetError(
      `environment "${name}" uses the local stack, which is not running: run \`firedrill stack up\``,
    );
  }
  const urls = stackUrls(state);
  return {
    ...common,
    baseUrl: env.baseUrl ?? urls.baseUrl,
    ...(env.prometheus ? remoteWrite(env.prometheus, root) : { prometheusUrl: urls.prometheusUrl }),
  };
}

function remoteWrite(conn: Connection, root: string): Pick<LoadTarget, 'prometheusUrl' | 'prometheusEnv'> {
  const { url, env } = k6RemoteWrite(conn, root);
  return { prometheusUrl: url, ...(Object.keys(env).length > 0 ? { prometheusEnv: env } : {}) };
}
