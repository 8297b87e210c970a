import type { ConfigInput } from './schema.ts';

/** Identity helper that gives `firedrill.config.ts` type checking and editor completion. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

/**
 * Reads an environment variable at config load time, with a default for local use. Unset (or
 * empty) and no default gives `undefined`: for optional fields and `env('X') ? … : …` choices.
 * A value the config cannot do without is read with `requiredEnv`, which names the variable.
 */
export function env(name: string, fallback?: string): string | undefined {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  if (fallback === undefined) unsetReads().add(name);
  return fallback;
}

// Symbol.for: a config imports `firedrill` from wherever it is installed, which may be another copy
// of this module than the loader's; the registry is shared through the key, not the module.
const UNSET = Symbol.for('firedrill.unset-variable');
const READS = Symbol.for('firedrill.unset-env-reads');

/** What `requiredEnv` returns for an unset variable: the loader turns it into a named error. */
export interface UnsetVariable {
  readonly [UNSET]: true;
  readonly variable: string;
}

/**
 * Reads an environment variable the config needs (a secret, a URL). When it is unset, loading
 * the config says which variable, for which field — and only when that field's environment is
 * the one in use: the production password need not exist in a staging CI job.
 *
 * @example credentials: { username: 'firedrill', password: requiredEnv('STAGING_PASSWORD') }
 */
export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  const unset: UnsetVariable = { [UNSET]: true, variable: name };
  // Typed as the string it stands for, so a field needs no `!`; the loader never lets it through.
  return unset as unknown as string;
}

export function isUnsetVariable(value: unknown): value is UnsetVariable {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[UNSET] === true;
}

/** Names `env()` found unset with no default since the last call: hints for "required" errors. */
export function takeUnsetReads(): string[] {
  const reads = unsetReads();
  const names = [...reads];
  reads.clear();
  return names;
}

function unsetReads(): Set<string> {
  const g = globalThis as { [READS]?: Set<string> };
  g[READS] ??= new Set();
  return g[READS];
}
