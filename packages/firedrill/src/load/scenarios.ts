import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SetupError } from '../core/errors.ts';

export interface ScenarioFile {
  /** File name without extension: `login`, `smoke`. Names results and the k8s objects. */
  name: string;
  file: string;
  /** The directory the scenario's relative imports live under (mounted whole for Docker). */
  dir: string;
}

export class UnknownScenarioError extends SetupError {
  override name = 'UnknownScenarioError';
  override readonly type = 'unknown-scenario';
}

const SCRIPT = /\.(ts|js|mjs)$/;

/** Top-level scenario files in `<root>/scenarios` (helpers live in `lib/`, not here). */
export async function listScenarios(root: string): Promise<ScenarioFile[]> {
  const dir = path.join(root, 'scenarios');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && SCRIPT.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => ({ name: e.name.replace(SCRIPT, ''), file: path.join(dir, e.name), dir }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `login` → `scenarios/login.ts`; a path to a script file is taken as it is. */
export async function resolveScenario(root: string, nameOrPath: string): Promise<ScenarioFile> {
  if (SCRIPT.test(nameOrPath)) {
    const file = path.resolve(nameOrPath);
    if (!existsSync(file)) throw new UnknownScenarioError(`no scenario file at ${file}`);
    return { name: path.basename(file).replace(SCRIPT, ''), file, dir: path.dirname(file) };
  }
  const all = await listScenarios(root);
  const hit = all.find((s) => s.name === nameOrPath);
  if (hit) return hit;
  throw new UnknownScenarioError(
    `unknown scenario "${nameOrPath}"; scenarios in ${path.join(root, 'scenarios')}: ${all.map((s) => s.name).join(', ') || 'none'}`,
  );
}
