import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { SetupError } from '../core/errors.ts';
import { isUnsetVariable, takeUnsetReads } from './define.ts';
import { type Config, configSchema, environmentSchema } from './schema.ts';

export const DEFAULT_CONFIG_PATH = 'config/firedrill.config.ts';
/** Where a config is looked for when `-c` names none, in order: the project root, then `config/`. */
export const CONFIG_CANDIDATES = ['firedrill.config.ts', DEFAULT_CONFIG_PATH] as const;

/** The config file to use: the one given, else the first candidate that exists under `cwd`. */
export function findConfig(given: string | undefined, cwd = process.cwd()): string {
  if (given) return path.resolve(cwd, given);
  for (const c of CONFIG_CANDIDATES) {
    const abs = path.resolve(cwd, c);
    if (existsSync(abs)) return abs;
  }
  throw new ConfigError([
    {
      file: CONFIG_CANDIDATES.map((c) => path.resolve(cwd, c)).join(' or '),
      path: '',
      message: 'no firedrill config found: run `firedrill init` to create one, or pass -c <file>',
    },
  ]);
}

/** A problem found while loading user files, printed all at once (checkly-style diagnostics). */
export interface Diagnostic {
  file: string;
  path: string;
  message: string;
}

export class ConfigError extends SetupError {
  override readonly type = 'config';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return d.path ? `${d.file}: ${d.path}: ${d.message}` : `${d.file}: ${d.message}`;
}

/**
 * Zod's issues as diagnostics. `unsetReads`: variables `env()` found unset with no default; a
 * field left undefined is most likely one of them, and the message says so.
 */
export function issuesToDiagnostics(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  unsetReads: readonly string[] = [],
): Diagnostic[] {
  return issues.map((i) => {
    const missing = unsetReads.length > 0 && 'input' in i && i.input === undefined;
    const hint = missing
      ? ` (unset variables env() read without a default: ${unsetReads.join(', ')}; requiredEnv('NAME') names the one a field needs)`
      : '';
    return { file, path: i.path.map(String).join('.'), message: `${i.message}${hint}` };
  });
}

/**
 * Validates a config's default export. A `requiredEnv()` variable that is unset fails the config
 * only outside `environments`; inside one it makes that environment unavailable (its other fields
 * are still checked), so a job using another environment needs none of its secrets.
 */
export function parseConfig(
  raw: unknown,
  file = DEFAULT_CONFIG_PATH,
  unsetReads: readonly string[] = [],
): Config {
  // zod cannot walk a Promise (it crashes inside a union): said here, where it can be named.
  const promises = safely(file, () => findPromises(raw));
  if (promises.length > 0) {
    throw new ConfigError(
      promises.map((p) => ({ file, path: p.join('.'), message: 'is a Promise: a missing await?' })),
    );
  }
  const unset = safely(file, () => findUnset(raw));
  const diagnostics: Diagnostic[] = [];
  // No prototype: an environment may be called anything, `__proto__` and `toString` included.
  const unavailable: Record<string, Diagnostic[]> = Object.create(null);
  for (const u of unset) {
    const [top, envName] = u.path;
    const d = { file, path: u.path.join('.'), message: `${u.variable} is not set (read with requiredEnv())` };
    if (top !== 'environments' || u.path.length <= 2) diagnostics.push(d);
    else {
      unavailable[envName!] ??= [];
      unavailable[envName!]!.push(d);
    }
  }
  const envs = isRecord(raw) && isRecord(raw.environments) ? raw.environments : {};
  for (const name of Object.keys(unavailable)) {
    const at = unset.filter((u) => u.path[1] === name).map((u) => u.path.slice(2).join('.'));
    const checked = safely(file, () =>
      environmentSchema.safeParse(withoutUnset(envs[name]), { reportInput: true }),
    );
    if (checked.success) continue;
    const own = checked.error.issues.filter((i) => !at.some((p) => isUnder(i.path.map(String).join('.'), p)));
    diagnostics.push(...issuesToDiagnostics(file, prefixed(own, ['environments', name]), unsetReads));
  }
  const usable = Object.keys(unavailable).length
    ? { ...(raw as object), environments: omit(envs, Object.keys(unavailable)) }
    : raw;
  const parsed = safely(file, () => configSchema.safeParse(usable, { reportInput: true }));
  if (!parsed.success) {
    const markers = unset.map((u) => u.path.join('.'));
    // Said above, by name.
    const issues = parsed.error.issues.filter(
      (i) => !markers.some((m) => isUnder(i.path.map(String).join('.'), m)),
    );
    diagnostics.push(...issuesToDiagnostics(file, issues, unsetReads));
  }
  // The default may be an environment whose variables are unset: refused only when it is used.
  if (parsed.success && !Object.hasOwn(parsed.data.environments, parsed.data.defaultEnvironment)) {
    const name = parsed.data.defaultEnvironment;
    if (!Object.hasOwn(unavailable, name)) {
      const have = [...Object.keys(parsed.data.environments), ...Object.keys(unavailable)];
      diagnostics.push({
        file,
        path: 'defaultEnvironment',
        message: `names no environment "${name}" (have: ${have.join(', ') || 'none'})`,
      });
    }
  }
  if (diagnostics.length > 0 || !parsed.success) throw new ConfigError(diagnostics);
  return Object.keys(unavailable).length
    ? { ...parsed.data, unavailableEnvironments: unavailable }
    : parsed.data;
}

interface UnsetAt {
  path: string[];
  variable: string;
}

function findUnset(value: unknown, path: string[] = [], seen = new Set<object>()): UnsetAt[] {
  if (isUnsetVariable(value)) return [{ path, variable: value.variable }];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  return Object.entries(value).flatMap(([k, v]) => findUnset(v, [...path, k], seen));
}

function findPromises(value: unknown, path: string[] = [], seen = new Set<object>()): string[][] {
  if (value instanceof Promise) return [path];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  return Object.entries(value).flatMap(([k, v]) => findPromises(v, [...path, k], seen));
}

function withoutUnset(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(withoutUnset);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => !isUnsetVariable(v))
      .map(([k, v]) => [k, withoutUnset(v)]),
  );
}

/** Validation over values a user file built: a getter that throws is a diagnostic, not a crash. */
function safely<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ConfigError([
      { file, path: '', message: `could not be read: ${(err as Error)?.message ?? String(err)}` },
    ]);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isUnder = (path: string, parent: string) => path === parent || path.startsWith(`${parent}.`);

function prefixed(issues: readonly z.core.$ZodIssue[], prefix: string[]): z.core.$ZodIssue[] {
  return issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }));
}

function omit<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Project root: the config's `root` if set, else the config file's grandparent when it sits in `config/`, else its folder. */
  root: string;
}

export async function loadConfig(file?: string, cwd = process.cwd()): Promise<LoadedConfig> {
  const abs = findConfig(file, cwd);
  const rel = path.relative(cwd, abs) || abs;
  if (!existsSync(abs)) throw new ConfigError([{ file: rel, path: '', message: 'file not found' }]);
  let mod: { default?: unknown };
  takeUnsetReads();
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (err) {
    throw new ConfigError([{ file: rel, path: '', message: `failed to load: ${(err as Error).message}` }]);
  }
  if (mod.default === undefined) {
    throw new ConfigError([
      { file: rel, path: '', message: 'has no default export (export default defineConfig({...}))' },
    ]);
  }
  const config = parseConfig(mod.default, rel, takeUnsetReads());
  const dir = path.dirname(abs);
  const root = config.root
    ? path.resolve(dir, config.root)
    : path.basename(dir) === 'config'
      ? path.dirname(dir)
      : dir;
  return { config, file: abs, root };
}
