import type { Config } from '../config/schema.ts';

/** Where load goes and where its metrics go, for one environment of the config. */
export interface LoadTarget {
  environment: string;
  baseUrl: string;
  credentials?: { username: string; password: string };
  /** Prometheus with its remote-write receiver on; k6 streams its metrics there when set. */
  prometheusUrl?: string;
  location: string;
}

export class LoadTargetError extends Error {
  override name = 'LoadTargetError';
}

/** `stack: true` environments take their URLs from the running local stack's state file. */
export async function resolveLoadTarget(config: Config, name: string, stateDir: string): Promise<LoadTarget> {
  const env = config.environments[name];
  if (!env) {
    throw new LoadTargetError(
      `no environment "${name}" in the config (have: ${Object.keys(config.environments).join(', ')})`,
    );
  }
  const common = {
    environment: name,
    location: env.location,
    ...(env.credentials ? { credentials: env.credentials } : {}),
  };
  if (!env.stack) {
    return {
      ...common,
      baseUrl: env.baseUrl!,
      ...(env.prometheus ? { prometheusUrl: env.prometheus.url } : {}),
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
    prometheusUrl: env.prometheus?.url ?? urls.prometheusUrl,
  };
}
