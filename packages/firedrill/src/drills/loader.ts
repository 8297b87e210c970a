import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileMatcher } from '../config/file-match.ts';
import { ConfigError, type Diagnostic, issuesToDiagnostics } from '../config/load.ts';
import type { FaultPlan } from '../faults/index.ts';
import type { DrillDefinition } from './define.ts';
import { type DrillPlan, planDrill } from './plan.ts';
import { drillSchema, faultIssues, parseFaults } from './schema.ts';

export const DRILL_DIR = 'alert-tests';
export const DRILL_SUFFIX = '.drill.ts';

export interface LoadedDrill {
  /** The drill as it runs: parsed once, here. */
  plan: DrillPlan;
  /** Relative to the project root. */
  file: string;
}

/** Validates one exported value; diagnostics name the file and the property. */
export function validateDrill(raw: unknown, file: string): { drill?: DrillPlan; diagnostics: Diagnostic[] } {
  const parsed = drillSchema.safeParse(raw);
  // The fault is checked on its own: zod's union of "one or a list" would only say "Invalid input".
  const faultProblems = faultIssues((raw as { fault?: unknown } | null)?.fault).map((i) => ({
    file,
    path: i.path.join('.'),
    message: i.message,
  }));
  if (!parsed.success || faultProblems.length) {
    return {
      diagnostics: [
        ...(parsed.success ? [] : issuesToDiagnostics(file, parsed.error.issues)),
        ...faultProblems,
      ],
    };
  }
  const checked = parseFaults(parsed.data.fault);
  const faults = (checked.success ? [checked.data].flat() : []) as FaultPlan[];
  const { plan, problems } = planDrill(parsed.data, faults);
  const diagnostics = problems.map((p) => ({ file, path: p.path.join('.'), message: p.message }));
  return plan ? { drill: plan, diagnostics } : { diagnostics };
}

/** The plan of one drill given in code (a test, a script); an invalid one throws every problem at once. */
export function planOf(definition: DrillDefinition, file = `${definition.id}.drill.ts`): DrillPlan {
  const { drill, diagnostics } = validateDrill(definition, file);
  if (!drill) throw new ConfigError(diagnostics);
  return drill;
}

/**
 * Imports every `alert-tests/*.drill.ts` and collects their default exports. All problems in all
 * files are gathered and thrown together, so one run shows everything to fix.
 */
export interface DrillFiles {
  /** @defaultValue 'alert-tests' */
  dir?: string;
  /** @defaultValue '*.drill.ts' */
  match?: string;
  /** Where drill traffic finds the probes it names. */
  probes?: { dir?: string; match?: string };
}

export async function loadDrills(root: string, files: string | DrillFiles = {}): Promise<LoadedDrill[]> {
  const opts = typeof files === 'string' ? { dir: files } : files;
  const dir = opts.dir ?? DRILL_DIR;
  const abs = path.resolve(root, dir);
  const isDrill = fileMatcher(opts.match ?? `*${DRILL_SUFFIX}`);
  let names: string[];
  try {
    names = (await readdir(abs)).filter(isDrill).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const diagnostics: Diagnostic[] = [];
  const drills: LoadedDrill[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path.join(abs, name)).href)) as { default?: unknown };
    } catch (err) {
      diagnostics.push({ file, path: '', message: `failed to load: ${(err as Error).message}` });
      continue;
    }
    if (mod.default === undefined) {
      diagnostics.push({
        file,
        path: '',
        message: 'has no default export (export default defineDrill({...}))',
      });
      continue;
    }
    const { drill, diagnostics: problems } = validateDrill(mod.default, file);
    diagnostics.push(...problems);
    if (!drill) continue;
    const other = seen.get(drill.id);
    if (other) {
      diagnostics.push({ file, path: 'id', message: `duplicate drill id "${drill.id}" (also in ${other})` });
      continue;
    }
    seen.set(drill.id, file);
    drills.push({ plan: drill, file });
  }
  diagnostics.push(...(await probeTrafficProblems(root, drills, opts.probes ?? {})));
  if (diagnostics.length) throw new ConfigError(diagnostics);
  return drills;
}

/** A drill whose traffic names a probe needs that probe in `probes/`: said at load time, not mid-drill. */
async function probeTrafficProblems(
  root: string,
  drills: LoadedDrill[],
  probeFiles: { dir?: string; match?: string },
): Promise<Diagnostic[]> {
  const probesDir = `${probeFiles.dir ?? 'probes'}/`;
  const users = drills.filter((d) => d.plan.traffic && 'probe' in d.plan.traffic);
  if (users.length === 0) return [];
  let ids: string[];
  try {
    const { loadProbes } = await import('../probes/loader.ts');
    ids = (await loadProbes({ root, ...probeFiles })).map((p) => p.definition.id);
  } catch (err) {
    const why = ((err as Error).message ?? String(err)).split('\n')[0];
    return users.map((d) => ({
      file: d.file,
      path: 'traffic.probe',
      message: `${probesDir} failed to load: ${why}`,
    }));
  }
  return users.flatMap(({ plan, file }) => {
    const probe = (plan.traffic as { probe: string }).probe;
    return ids.includes(probe)
      ? []
      : [
          {
            file,
            path: 'traffic.probe',
            message: `no probe "${probe}" in ${probesDir} (have: ${ids.join(', ') || 'none'})`,
          },
        ];
  });
}

/** The drills named on the command line (by id), or all; unknown names are a diagnostic. */
export function selectDrills(all: LoadedDrill[], names: string[], dir = DRILL_DIR): LoadedDrill[] {
  if (names.length === 0) return all;
  const byId = new Map(all.map((d) => [d.plan.id, d]));
  const unknown = names.filter((n) => !byId.has(n));
  if (unknown.length) {
    throw new ConfigError(
      unknown.map((n) => ({
        file: dir,
        path: '',
        message: `no drill "${n}" (have: ${[...byId.keys()].join(', ') || 'none'})`,
      })),
    );
  }
  return names.map((n) => byId.get(n)!);
}
