import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadEnvFile } from '../config/env-file.ts';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { SetupError } from '../core/errors.ts';
import { describeError, EXIT, exitCodeForError, isCommanderError } from '../core/exit.ts';
import { createLogger } from '../logger.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerDrillCommands } from './drill-command.ts';
import { registerInitCommand } from './init-command.ts';
import { registerLoadCommands } from './load-command.ts';
import { collect } from './options.ts';
import { registerProbeCommands } from './probe-command.ts';
import { registerScheduleCommands } from './schedule-command.ts';
import { registerStackCommands } from './stack-command.ts';

export interface GlobalOptions {
  config?: string;
  envFile?: string[];
  logLevel?: string;
  logFile?: string;
  verbose?: boolean;
  runId?: string;
}

// Commands whose output is their log: a daemon and the stack's start-up. The others print a
// report on stdout, and their own info lines would only be noise between its lines.
const LOGGING_COMMANDS = new Set(['schedule', 'stack']);

/**
 * The log level: `--log-level` or FIREDRILL_LOG_LEVEL if given; else `info` into a log file, for
 * `--verbose` and for daemons; else `warn`, so a run's stderr holds only what needs reading.
 */
export function logLevelFor(opts: GlobalOptions, command: string, env = process.env): string {
  if (opts.logLevel) return opts.logLevel;
  if (env.FIREDRILL_LOG_LEVEL) return env.FIREDRILL_LOG_LEVEL;
  if (opts.verbose) return 'debug';
  return opts.logFile || LOGGING_COMMANDS.has(command) ? 'info' : 'warn';
}

/** What every command gets: the validated config and a logger, built once from the global flags. */
export async function commandContext(
  cmd: Command,
): Promise<LoadedConfig & { logger: ReturnType<typeof createLogger>; runId: string }> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  for (const file of opts.envFile ?? []) loadEnvFile(file);
  const loaded = await loadConfig(opts.config);
  return {
    ...loaded,
    logger: createLogger({
      level: logLevelFor(opts, topCommand(cmd).name()),
      ...(opts.logFile ? { file: path.resolve(opts.logFile) } : {}),
    }),
    runId: opts.runId ?? `${cmd.name()}-${randomBytes(4).toString('hex')}`,
  };
}

/** The command under `firedrill` (`stack` for `stack up`). */
function topCommand(cmd: Command): Command {
  let c = cmd;
  while (c.parent?.parent) c = c.parent;
  return c;
}

/**
 * A `--probes` folder as the loader wants it: typed relative to where the user stands, but
 * relative to the root in diagnostics and reports, like the default `probes/`.
 */
export function probesDir(root: string, dir: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, dir);
  // The default folder may be missing (a drills-only project); one the user named may not.
  if (!existsSync(abs)) throw new SetupError(`--probes: no folder ${abs}`);
  return path.relative(root, abs) || '.';
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function buildProgram(): Command {
  const program = new Command('firedrill')
    .description(
      'Synthetic monitoring and alert testing: probes, load scenarios and drills that prove your alerts fire, reach Slack and resolve.',
    )
    .version(VERSION)
    .addOption(
      new Option(
        '-c, --config <path>',
        'config file (default: firedrill.config.ts, else config/firedrill.config.ts)',
      ),
    )
    .addOption(
      new Option(
        '--env-file <path>',
        'load variables from a dotenv file first; ones already set win (repeatable)',
      )
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        "firedrill's own log level (default: warn; info for schedule and stack, and with --log-file)",
      ).choices(['debug', 'info', 'warn', 'error']),
    )
    .option('-v, --verbose', "firedrill's own logs at debug level on stderr, beside the report")
    .option('--log-file <path>', "firedrill's own logs (JSON lines) to this file instead of stderr")
    .addOption(
      new Option(
        '--run-id <id>',
        "the command's run id in reports and logs (default: <command>-<random>); give several CI steps one",
      ),
    )
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true })
    // Commander exits 1 for a usage error, which CI would read as "something failed": throw
    // instead, and runCli maps it to 2. Set before the commands exist, so they inherit it.
    .exitOverride();
  registerStackCommands(program);
  registerDrillCommands(program);
  registerLoadCommands(program);
  registerProbeCommands(program);
  registerScheduleCommands(program);
  registerDemoCommand(program);
  registerInitCommand(program);
  return program;
}

export async function runCli(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    // Commander has printed its own message (and the help).
    if (!isCommanderError(err)) process.stderr.write(`firedrill: ${describeError(err)}\n`);
    return exitCodeForError(err);
  }
}
