import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BrokenDefinition,
  brokenDefinitions,
  grepMatcher,
  type StrayFile,
  scanDefinitionFolder,
} from '../config/definition-files.ts';
import { ConfigError, type Diagnostic, formatDiagnostic, issuesToDiagnostics } from '../config/load.ts';
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
  try {
    return checkDrill(raw, file);
  } catch (err) {
    // A getter that throws, a value zod cannot walk: this file is broken, the others still load.
    return {
      diagnostics: [
        { file, path: '', message: `could not be read: ${(err as Error)?.message ?? String(err)}` },
      ],
    };
  }
}

function checkDrill(raw: unknown, file: string): { drill?: DrillPlan; diagnostics: Diagnostic[] } {
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

export interface DrillFiles {
  /** @defaultValue 'alert-tests' */
  dir?: string;
  /** @defaultValue '*.drill.ts' */
  match?: string;
  /** Where drill traffic finds the probes it names. */
  probes?: { dir?: string; match?: string };
}

/** Every drill file of a folder: the valid ones, the broken ones, and look-alikes not loaded. */
export interface DrillSet {
  drills: LoadedDrill[];
  broken: BrokenDefinition[];
  stray: StrayFile[];
}

/** Imports every `alert-tests/*.drill.ts` and checks each on its own: one broken file blocks only itself. */
export async function loadDrillSet(root: string, files: string | DrillFiles = {}): Promise<DrillSet> {
  const opts = typeof files === 'string' ? { dir: files } : files;
  const dir = opts.dir ?? DRILL_DIR;
  const abs = path.resolve(root, dir);
  const folder = await scanDefinitionFolder(abs, dir, opts.match ?? `*${DRILL_SUFFIX}`, 'drill');
  const diagnostics: Diagnostic[] = [];
  const values = new Map<string, unknown>();
  const valid: LoadedDrill[] = [];
  const seen = new Map<string, string>();
  for (const name of folder.matched) {
    const file = path.join(dir, name);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path.join(abs, name)).href)) as { default?: unknown };
    } catch (err) {
      diagnostics.push({ file, path: '', message: `failed to load: ${firstLine(err)}` });
      continue;
    }
    values.set(file, mod.default);
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
    valid.push({ plan: drill, file });
  }
  diagnostics.push(...(await probeTrafficProblems(root, valid, opts.probes ?? {})));
  const broken = brokenDefinitions(diagnostics, (f) => values.get(f), DRILL_SUFFIX);
  const brokenFiles = new Set(broken.map((b) => b.file));
  return { drills: valid.filter((d) => !brokenFiles.has(d.file)), broken, stray: folder.stray };
}

/** Every drill, or one `ConfigError` listing every problem in every file (tests, scripts). */
export async function loadDrills(root: string, files: string | DrillFiles = {}): Promise<LoadedDrill[]> {
  const { drills, broken } = await loadDrillSet(root, files);
  if (broken.length > 0) throw new ConfigError(broken.flatMap((b) => b.diagnostics));
  return drills;
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0]!;
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
  const { loadProbeSet } = await import('../probes/loader.ts');
  const set = await loadProbeSet({ root, ...probeFiles });
  const ids = set.probes.map((p) => p.definition.id);
  return users.flatMap(({ plan, file }) => {
    const probe = (plan.traffic as { probe: string }).probe;
    const broken = set.broken.find((b) => b.id === probe);
    if (broken) {
      const why = broken.diagnostics[0]!;
      return [
        { file, path: 'traffic.probe', message: `probe "${probe}" is broken: ${formatDiagnostic(why)}` },
      ];
    }
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

export interface DrillFilter {
  /** Keep drills carrying at least one of these tags. */
  tags?: readonly string[];
  /** Keep drills whose id, name or `#tag` matches this case-insensitive regular expression. */
  grep?: string;
}

/** The drills named on the command line (by id), or all, then filtered; unknown names are a diagnostic. */
export function selectDrills(
  all: LoadedDrill[],
  names: string[],
  dir = DRILL_DIR,
  filter: DrillFilter = {},
): LoadedDrill[] {
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
  const tags = filter.tags ?? [];
  const grep = grepMatcher(filter.grep);
  return (names.length ? names.map((n) => byId.get(n)!) : all).filter(
    (d) => (tags.length === 0 || (d.plan.tags ?? []).some((t) => tags.includes(t))) && grep(d.plan),
  );
}
