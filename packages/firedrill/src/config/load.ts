import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { SetupError } from '../core/errors.ts';
import { type Config, configSchema } from './schema.ts';

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

export function issuesToDiagnostics(file: string, issues: readonly z.core.$ZodIssue[]): Diagnostic[] {
  return issues.map((i) => ({ file, path: i.path.map(String).join('.'), message: i.message }));
}

export function parseConfig(raw: unknown, file = DEFAULT_CONFIG_PATH): Config {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(issuesToDiagnostics(file, parsed.error.issues));
  return parsed.data;
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
  const config = parseConfig(mod.default, rel);
  const dir = path.dirname(abs);
  const root = config.root
    ? path.resolve(dir, config.root)
    : path.basename(dir) === 'config'
      ? path.dirname(dir)
      : dir;
  return { config, file: abs, root };
}
