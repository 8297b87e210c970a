import { Option } from 'commander';

/** Commander arg parser for repeatable options: `-r a -r b` → `['a', 'b']`. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--env`, the same on every command that targets an environment. */
export const envOption = (): Option =>
  new Option('-e, --env <name>', 'environment from the config (default: its defaultEnvironment)');

/** `--reporter`, the same on every command that produces results. */
export const reporterOption = (): Option =>
  new Option(
    '-r, --reporter <spec>',
    'console, json[=path], junit[=path], html[=path], metrics[=path], slack[=#channel], github; repeatable',
  )
    .argParser(collect)
    .default([]);
