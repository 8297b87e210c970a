import { grepMatcher } from '../config/definition-files.ts';
import { SetupError } from '../core/errors.ts';
import type { ProbeDefinition } from './define.ts';
import type { LoadedProbe } from './loader.ts';

export interface ProbeSelection {
  /** Probe ids; empty means all. */
  names?: readonly string[];
  /** Keep probes carrying at least one of these tags; empty means no tag filter. */
  tags?: readonly string[];
  /** Keep probes whose id, name or `#tag` matches this case-insensitive regular expression. */
  grep?: string;
  /** Probes that list `environments` run only there; omitted (`--list`), every probe is kept. */
  environment?: string;
}

/** The filters alone, without the errors a run raises: what `--list` shows. */
export function probeFilter(sel: ProbeSelection): (p: ProbeDefinition) => boolean {
  const names = sel.names ?? [];
  const tags = sel.tags ?? [];
  const grep = grepMatcher(sel.grep);
  return (p) =>
    (names.length === 0 || names.includes(p.id)) &&
    (!sel.environment || !p.environments || p.environments.includes(sel.environment)) &&
    (tags.length === 0 || (p.tags ?? []).some((t) => tags.includes(t))) &&
    grep(p);
}

/**
 * The probes a command runs, or a SetupError that names what exists. `brokenIds`: probes whose
 * files are broken; with none left to run, the run reports only those (as errors).
 */
export function selectProbes(
  loaded: readonly LoadedProbe[],
  sel: ProbeSelection & { environment: string },
  brokenIds: readonly string[] = [],
): ProbeDefinition[] {
  const all = loaded.map((p) => p.definition);
  if (all.length === 0) {
    if (brokenIds.length > 0) return [];
    throw new SetupError('no probes found: add files named probes/<name>.probe.ts');
  }
  const ids = all.map((p) => p.id);
  const names = sel.names ?? [];
  const unknown = names.filter((n) => !ids.includes(n));
  if (unknown.length > 0) {
    const what = unknown.map((n) => `"${n}"`).join(', ');
    throw new SetupError(`unknown probe${unknown.length > 1 ? 's' : ''} ${what} (have: ${ids.join(', ')})`);
  }
  const runsHere = (p: ProbeDefinition) => !p.environments || p.environments.includes(sel.environment);
  const elsewhere = names.map((n) => all.find((p) => p.id === n)!).filter((p) => !runsHere(p));
  if (elsewhere.length > 0) {
    const p = elsewhere[0]!;
    throw new SetupError(
      `probe "${p.id}" does not run in environment "${sel.environment}" (its environments: ${p.environments!.join(', ')})`,
    );
  }
  const chosen = all.filter(probeFilter(sel));
  if (chosen.length === 0 && brokenIds.length === 0) {
    const tags = sel.tags ?? [];
    const filters = [
      tags.length ? `tag ${tags.join('|')}` : '',
      sel.grep ? `--grep ${JSON.stringify(sel.grep)}` : '',
      `environment "${sel.environment}"`,
    ].filter(Boolean);
    throw new SetupError(`no probe matches ${filters.join(' and ')} (have: ${ids.join(', ')})`);
  }
  return chosen;
}
