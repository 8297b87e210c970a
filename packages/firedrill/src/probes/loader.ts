import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BrokenDefinition,
  brokenDefinitions,
  type StrayFile,
  scanDefinitionFolder,
} from '../config/definition-files.ts';
import { ConfigError, type Diagnostic } from '../config/load.ts';
import { nearestName } from '../core/nearest.ts';
import type { ProbeDefinition } from './define.ts';
import { PROBE_KEYS, probeSchema } from './probe-schema.ts';

export const PROBE_FILE_SUFFIX = '.probe.ts';
export const DEFAULT_PROBES_DIR = 'probes';

export interface LoadedProbe {
  definition: ProbeDefinition;
  /** Path relative to the project root, as diagnostics and reports show it. */
  file: string;
}

export interface LoadProbesOptions {
  /** Project root (the config's `root`). */
  root: string;
  /** @defaultValue 'probes' */
  dir?: string;
  /** File names that are probes. @defaultValue '*.probe.ts' */
  match?: string;
  /** Configured environment names: a probe's `environments` must name only these. */
  environments?: readonly string[];
}

/** A file's default export, or why there is none. */
export interface ProbeModule {
  file: string;
  value?: unknown;
  loadError?: string;
}

/** Every probe file of a folder: the valid ones, the broken ones, and look-alikes not loaded. */
export interface ProbeSet {
  probes: LoadedProbe[];
  broken: BrokenDefinition[];
  stray: StrayFile[];
}

/**
 * Imports every `probes/*.probe.ts` (tsx is the loader at run time) and validates each on its
 * own: a broken file is returned with its diagnostics, and the others still run.
 */
export async function loadProbeSet(opts: LoadProbesOptions): Promise<ProbeSet> {
  const dirRel = opts.dir ?? DEFAULT_PROBES_DIR;
  const dir = path.resolve(opts.root, dirRel);
  const folder = await scanDefinitionFolder(dir, dirRel, opts.match ?? `*${PROBE_FILE_SUFFIX}`, 'probe');
  const modules: ProbeModule[] = [];
  for (const f of folder.matched) {
    const file = path.join(dirRel, f);
    try {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default?: unknown };
      modules.push({ file, value: mod.default });
    } catch (err) {
      modules.push({ file, loadError: (err as Error)?.message ?? String(err) });
    }
  }
  const { probes, diagnostics } = validateProbeModules(modules, opts.environments);
  const exportOf = (file: string) => modules.find((m) => m.file === file)?.value;
  return { probes, broken: brokenDefinitions(diagnostics, exportOf, PROBE_FILE_SUFFIX), stray: folder.stray };
}

/** Every probe, or one `ConfigError` listing every problem in every file (tests, scripts). */
export async function loadProbes(opts: LoadProbesOptions): Promise<LoadedProbe[]> {
  const { probes, broken } = await loadProbeSet(opts);
  if (broken.length > 0) throw new ConfigError(broken.flatMap((b) => b.diagnostics));
  return probes;
}

/** The checks alone, on already-imported modules: pure, so every message can be pinned by a test. */
export function validateProbeModules(
  modules: readonly ProbeModule[],
  environments?: readonly string[],
): { probes: LoadedProbe[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const probes: LoadedProbe[] = [];
  const firstFileOfId = new Map<string, string>();
  for (const { file, value, loadError } of modules) {
    if (loadError !== undefined) {
      diagnostics.push({ file, path: '', message: `failed to load: ${loadError.split('\n')[0]}` });
      continue;
    }
    if (value === undefined) {
      diagnostics.push({
        file,
        path: '',
        message: 'has no default export (export default defineProbe({ … }))',
      });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      diagnostics.push({
        file,
        path: '',
        message: 'default export is not a probe definition (export default defineProbe({ … }))',
      });
      continue;
    }
    const before = diagnostics.length;
    try {
      checkProbe(file, value, environments, firstFileOfId, diagnostics);
    } catch (err) {
      // A getter that throws: this file is broken, the others still load.
      diagnostics.length = before;
      diagnostics.push({
        file,
        path: '',
        message: `could not be read: ${(err as Error)?.message ?? String(err)}`,
      });
    }
    if (diagnostics.length === before) probes.push({ definition: value as ProbeDefinition, file });
  }
  return { probes, diagnostics };
}

function checkProbe(
  file: string,
  value: object,
  environments: readonly string[] | undefined,
  firstFileOfId: Map<string, string>,
  diagnostics: Diagnostic[],
): void {
  const parsed = probeSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) diagnostics.push({ file, path: key, message: unknownKeyMessage(key) });
      } else {
        diagnostics.push({ file, path: issue.path.map(String).join('.'), message: issue.message });
      }
    }
  }
  const def = value as Partial<ProbeDefinition>;
  if (typeof def.id === 'string') {
    const other = firstFileOfId.get(def.id);
    if (other) diagnostics.push({ file, path: 'id', message: `duplicate id "${def.id}" (also in ${other})` });
    else firstFileOfId.set(def.id, file);
  }
  if (environments && Array.isArray(def.environments)) {
    def.environments.forEach((name, i) => {
      if (typeof name === 'string' && !environments.includes(name)) {
        diagnostics.push({
          file,
          path: `environments.${i}`,
          message: `names no configured environment "${name}" (have: ${environments.join(', ') || 'none'})`,
        });
      }
    });
  }
}

function unknownKeyMessage(key: string): string {
  const near = nearestName(key, PROBE_KEYS);
  return near
    ? `unknown property (did you mean "${near}"?)`
    : `unknown property (known: ${PROBE_KEYS.join(', ')})`;
}
