import { environmentConfig } from '../config/environment.ts';
import type { Config } from '../config/schema.ts';
import { SetupError } from '../core/errors.ts';
import { resolveStateDir } from '../stack/paths.ts';
import { readStackState } from '../stack/state.ts';
import { stackUrls } from '../stack/urls.ts';
import type { ResolvedEnvironment } from './define.ts';

export interface EnvironmentTarget {
  env: ResolvedEnvironment;
  /** The stack's reserved port for the scheduler's `/metrics` (its Prometheus scrapes it). */
  stackMetricsPort?: number;
}

/**
 * Picks the environment to probe and fills in what a `stack: true` environment leaves out
 * (`baseUrl`, `pushgateway`) from the running local stack's state.
 */
export async function resolveEnvironment(
  loaded: { config: Config; root: string },
  name?: string,
): Promise<EnvironmentTarget> {
  const { config, root } = loaded;
  const envName = name ?? config.defaultEnvironment;
  const env = environmentConfig(config, envName);
  if (!env.stack) return { env: { ...env, name: envName, baseUrl: env.baseUrl! } };

  const stateDir = resolveStateDir(config, root);
  const state = await readStackState(stateDir);
  const app = state?.components['demo-app'];
  if (!state || !app || !alive(app.pid)) {
    throw new SetupError(
      `environment "${envName}" uses the local stack, but its demo app is not running (state in ${stateDir}); run \`firedrill stack up\``,
    );
  }
  const urls = stackUrls(state);
  const pushgateway =
    env.pushgateway ?? (state.components.pushgateway ? { url: urls.pushgatewayUrl, headers: {} } : undefined);
  return {
    env: {
      ...env,
      name: envName,
      baseUrl: env.baseUrl ?? urls.baseUrl,
      ...(pushgateway ? { pushgateway } : {}),
    },
    stackMetricsPort: urls.firedrillMetricsPort,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it just is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
