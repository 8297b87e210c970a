import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
import { SetupError } from '../core/errors.ts';
import type { Result } from '../core/result.ts';
import { fileMatcher } from './file-match.ts';
import { ConfigError, type Diagnostic, formatDiagnostic } from './load.ts';

/**
 * What probe and drill folders share: which files are definitions, which look like ones but are
 * not loaded, and definitions that failed their checks. One broken file blocks only itself; the
 * rest run, and it is listed (and, when it would have been selected, reported as an error).
 */

export type DefinitionKind = 'probe' | 'drill';

/** A definition file that failed to load or validate. */
export interface BrokenDefinition {
  file: string;
  /** Its `id` when the export had a string one, else the file name without its suffix. */
  id: string;
  /** Its `tags` and `environments` when readable, so selection can tell whether it was wanted. */
  tags?: string[];
  environments?: string[];
  diagnostics: Diagnostic[];
}

/** A file in a definition folder that is not loaded but is probably meant to be. */
export interface StrayFile {
  file: string;
  reason: string;
}

export interface DefinitionFolder {
  /** Names matching `match`, sorted. */
  matched: string[];
  stray: StrayFile[];
}

const SCRIPT = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

/**
 * Lists `dir` (absolute; `dirRel` as users see it). A missing folder is empty. Helper modules
 * (`steps.ts`) are left alone; a file named like a definition of this kind (or the other) that the
 * pattern does not take is returned as stray, so `login.probe.js` is not silently never run.
 */
export async function scanDefinitionFolder(
  dir: string,
  dirRel: string,
  match: string,
  kind: DefinitionKind,
): Promise<DefinitionFolder> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { matched: [], stray: [] };
    throw err;
  }
  const isDefinition = fileMatcher(match);
  const other: DefinitionKind = kind === 'probe' ? 'drill' : 'probe';
  const matched: string[] = [];
  const stray: StrayFile[] = [];
  for (const name of names) {
    if (isDefinition(name)) {
      matched.push(name);
      continue;
    }
    if (!SCRIPT.test(name)) continue;
    const file = path.join(dirRel, name);
    const lower = name.toLowerCase();
    if (lower.includes(`.${other}.`)) {
      stray.push({
        file,
        reason: `a ${other} file in the ${kind} folder; not loaded (${kind}s match ${match})`,
      });
    } else if (looksLike(lower, kind)) {
      stray.push({ file, reason: `not loaded: ${kind} files match ${match}` });
    }
  }
  return { matched, stray };
}

/** `login.probe.js`, `login.prob.ts`, `login-probe.ts`, `login.probes.ts`: meant as a definition. */
function looksLike(name: string, kind: DefinitionKind): boolean {
  if (name.includes(kind)) return true;
  const dot = name.indexOf('.');
  const suffix = dot >= 0 ? name.slice(dot + 1) : '';
  return distance(suffix, `${kind}.ts`) <= 2;
}

/** Groups diagnostics by file into broken definitions, reading what it can from each export. */
export function brokenDefinitions(
  diagnostics: readonly Diagnostic[],
  exportOf: (file: string) => unknown,
  suffix: string,
): BrokenDefinition[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = byFile.get(d.file) ?? [];
    list.push(d);
    byFile.set(d.file, list);
  }
  return [...byFile].map(([file, ds]) => {
    const value = exportOf(file) as { id?: unknown; tags?: unknown; environments?: unknown } | undefined;
    const strings = (v: unknown) =>
      Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
    const tags = strings(value?.tags);
    const environments = strings(value?.environments);
    return {
      file,
      id: typeof value?.id === 'string' && value.id ? value.id : path.basename(file, suffix),
      ...(tags ? { tags } : {}),
      ...(environments ? { environments } : {}),
      diagnostics: ds,
    };
  });
}

/** The lines a command prints for broken and stray files, on stderr, before anything runs. */
export function definitionWarnings(
  kind: DefinitionKind,
  broken: readonly BrokenDefinition[],
  stray: readonly StrayFile[],
): string[] {
  const lines: string[] = [];
  if (broken.length > 0) {
    lines.push(`${broken.length} ${kind} file${broken.length > 1 ? 's' : ''} broken, not run:`);
    for (const b of broken) for (const d of b.diagnostics) lines.push(`  ${formatDiagnostic(d)}`);
  }
  for (const s of stray) lines.push(`${s.file}: ${s.reason}`);
  return lines;
}

export interface DefinitionSelection {
  names: readonly string[];
  tags?: readonly string[];
  grep?: string;
  environment?: string;
}

/**
 * The broken definitions a selection would have run: named ones refuse the command (exit 2, with
 * their diagnostics); with no names, those the tag and environment filters would have kept —
 * reported as errors so the gate does not pass on a definition that never ran.
 */
export function selectedBroken(
  broken: readonly BrokenDefinition[],
  sel: DefinitionSelection,
): BrokenDefinition[] {
  if (sel.names.length > 0) {
    const named = broken.filter((b) => sel.names.includes(b.id));
    if (named.length > 0) throw new ConfigError(named.flatMap((b) => b.diagnostics));
    return [];
  }
  const tags = sel.tags ?? [];
  const grep = grepMatcher(sel.grep);
  return broken.filter(
    (b) =>
      (tags.length === 0 || (b.tags ?? []).some((t) => tags.includes(t))) &&
      (!sel.environment || !b.environments || b.environments.includes(sel.environment)) &&
      grep(b),
  );
}

/** A broken definition as a result: an `error` of type `config`, so reports list it and CI exits 2. */
export function brokenResult(
  b: BrokenDefinition,
  kind: DefinitionKind,
  ctx: { runId: string; environment?: string; start?: number },
): Result {
  return {
    id: b.id,
    name: b.id,
    kind,
    status: 'error',
    runId: ctx.runId,
    start: ctx.start ?? Date.now(),
    durationMs: 0,
    ...(ctx.environment ? { environment: ctx.environment } : {}),
    steps: [],
    artifacts: [],
    error: {
      type: 'config',
      message: `${b.file} is broken, not run:\n${b.diagnostics.map(formatDiagnostic).join('\n')}`,
    },
  };
}

/** `--grep`: a case-insensitive regular expression over a definition's id, name and tags. */
export function grepMatcher(
  pattern: string | undefined,
): (d: { id: string; name?: string; tags?: string[] }) => boolean {
  if (!pattern) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch (err) {
    throw new SetupError(`--grep: not a regular expression: ${(err as Error).message}`);
  }
  return (d) => re.test([d.id, d.name, ...(d.tags ?? []).map((t) => `#${t}`)].filter(Boolean).join(' '));
}
