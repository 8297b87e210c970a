import { SetupError } from '../core/errors.ts';
import { ConfigError } from './load.ts';
import type { Config, EnvironmentConfig } from './schema.ts';

/** Every environment the config names, the usable ones and those whose variables are unset. */
export function environmentNames(config: Config): string[] {
  return [...Object.keys(config.environments), ...Object.keys(config.unavailableEnvironments ?? {})];
}

/**
 * The environment a command targets. One whose `requiredEnv()` variables are unset is refused
 * here, when it is used, with each variable and the field that reads it.
 */
export function environmentConfig(
  config: Config,
  name: string,
  unknown: (message: string) => Error = (m) => new SetupError(m),
): EnvironmentConfig {
  const unavailable = config.unavailableEnvironments;
  const unset = unavailable && Object.hasOwn(unavailable, name) ? unavailable[name] : undefined;
  if (unset) throw new ConfigError([...unset]);
  const env = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (!env)
    throw unknown(`unknown environment "${name}" (have: ${environmentNames(config).join(', ') || 'none'})`);
  return env;
}
