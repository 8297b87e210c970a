import type { Writable } from 'node:stream';
import { SetupError } from '../core/errors.ts';
import type { Reporter } from './reporter.ts';

/** The minimal Slack surface the summary reporter needs; `SlackClient` satisfies it. */
export interface SlackPoster {
  postMessage(msg: { channel: string; text: string; blocks?: unknown[] }): Promise<unknown>;
}

/** What the CLI knows when it builds reporters; each reporter takes the parts it needs. */
export interface ReporterOptions {
  /** Default directory for report files; relative artifact paths are resolved against it too. */
  outDir: string;
  /** Where console-style output goes. @defaultValue process.stdout */
  stdout?: Writable;
  /** For colour decisions (`NO_COLOR`, `FORCE_COLOR`, `TERM`). @defaultValue process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths given in specs. @defaultValue process.cwd() */
  cwd?: string;
  /** Needed by `slack`: a client and the channel used when the spec names none. */
  slack?: { poster: SlackPoster; channel?: string };
  /** Where the HTML report lands, when one is written; the Slack summary links to it. Set by the registry. */
  htmlReportPath?: string;
  /** Link to the report as readers reach it (CI artifact URL); preferred over the file path in Slack. */
  reportUrl?: string;
}

/**
 * One entry in the reporter list. A reporter file exports one of these; the registry lists them.
 * The spec `name=arg` passes `arg` (usually an output path) to `create`.
 */
export interface ReporterDefinition {
  name: string;
  /** One line for `--help` and for the unknown-reporter error. */
  description: string;
  /** What `=arg` means, e.g. `path` or `channel`; absent when the reporter takes no argument. */
  arg?: { name: string; default?: string };
  create(arg: string | undefined, opts: ReporterOptions): Reporter;
}

/** A bad `--reporter` spec or missing prerequisite, reported before anything runs (exit 2). */
export class ReporterSpecError extends SetupError {
  override name = 'ReporterSpecError';
  override readonly type = 'reporter-spec';
}
