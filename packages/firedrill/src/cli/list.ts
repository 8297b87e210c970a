import { type BrokenDefinition, definitionWarnings, type StrayFile } from '../config/definition-files.ts';
import { EXIT, type ExitCode } from '../core/exit.ts';

/** One definition as `--list` shows it. */
export interface ListedDefinition {
  id: string;
  name: string;
  file: string;
  /** `http` / `browser` for probes. */
  kind?: string;
  schedule?: string;
  tags?: string[];
  environments?: string[];
}

/** What `probe --list --json` and `drill --list --json` print: stable, for scripts. */
export interface DefinitionListing {
  kind: 'probe' | 'drill';
  definitions: ListedDefinition[];
  broken: { file: string; id: string; problems: { path: string; message: string }[] }[];
  /** Files that look like definitions but are not loaded (misnamed). */
  notLoaded: StrayFile[];
}

/**
 * Prints a listing, human or JSON, on stdout; exits 2 when a definition is broken, so
 * `--list` doubles as a check that every file loads.
 */
export function printListing(
  kind: 'probe' | 'drill',
  definitions: readonly ListedDefinition[],
  broken: readonly BrokenDefinition[],
  stray: readonly StrayFile[],
  json: boolean,
  out: (s: string) => void = (s) => process.stdout.write(s),
): ExitCode {
  if (json) {
    const listing: DefinitionListing = {
      kind,
      definitions: [...definitions],
      broken: broken.map((b) => ({
        file: b.file,
        id: b.id,
        problems: b.diagnostics.map((d) => ({ path: d.path, message: d.message })),
      })),
      notLoaded: [...stray],
    };
    out(`${JSON.stringify(listing, null, 2)}\n`);
  } else {
    const rows = definitions.map((d) => [
      d.id,
      d.name !== d.id ? d.name : '',
      d.kind ?? '',
      d.schedule ?? '',
      d.tags?.length ? d.tags.map((t) => `#${t}`).join(' ') : '',
      d.environments?.length ? `only ${d.environments.join(', ')}` : '',
      d.file,
    ]);
    // Columns no definition fills are left out, not printed as runs of blanks.
    const used = rows[0]?.map((_, i) => rows.some((r) => r[i] !== '')) ?? [];
    const table = rows.map((r) => r.filter((_, i) => used[i]));
    const widths = table.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as number[]);
    for (const r of table)
      out(
        `${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    if (definitions.length === 0) out(`no ${kind}s selected\n`);
    for (const line of definitionWarnings(kind, broken, stray)) out(`${line}\n`);
  }
  return broken.length > 0 ? EXIT.setup : EXIT.ok;
}

/** Broken and misnamed definition files, on stderr before a run: the run goes on without them. */
export function warnDefinitions(
  kind: 'probe' | 'drill',
  broken: readonly BrokenDefinition[],
  stray: readonly StrayFile[],
): void {
  for (const line of definitionWarnings(kind, broken, stray)) process.stderr.write(`firedrill: ${line}\n`);
}
