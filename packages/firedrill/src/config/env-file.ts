import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { SetupError } from '../core/errors.ts';

/**
 * Loads a dotenv file into `process.env` before the config is read. A variable already set wins,
 * so the precedence is file < process environment < flags: CI secrets override a committed
 * file, and a developer's shell overrides their `.env`. Returns the names it set.
 */
export function loadEnvFile(file: string, cwd = process.cwd()): string[] {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new SetupError(
      `--env-file ${file}: cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (process.env[name] !== undefined) continue;
    process.env[name] = value;
    set.push(name);
  }
  return set;
}
