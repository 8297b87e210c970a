import type { ConfigInput } from './schema.ts';

/** Identity helper that gives `firedrill.config.ts` type checking and editor completion. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

/** Reads an environment variable at config load time, with a default for local use. */
export function env(name: string, fallback?: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
}
