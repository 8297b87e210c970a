import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../packages/firedrill/src/cli/program.ts';

// The README's exit-code table, pinned for every command: 0 passed, 1 something under test
// failed, 2 setup or usage, 130/143 on signals (those are pinned by the live drill and probe
// tests, which send them). Usage and config errors are found before anything runs, so these
// run in-process.
const COMMANDS = [
  ['probe'],
  ['drill'],
  ['rollback'],
  ['load', 'smoke'],
  ['schedule'],
  ['demo'],
  ['stack', 'status'],
  ['init', '--yes'],
];

let dir: string;
let errors: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-exit-'));
  errors = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    errors.push(String(s));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const cli = (...args: string[]) => runCli(['node', 'firedrill', ...args]);

describe('exit codes, every command', () => {
  it('an unknown command is usage: 2', async () => {
    expect(await cli('prbe')).toBe(2);
    expect(errors.join('')).toContain("unknown command 'prbe'");
  });

  it.each(COMMANDS)('%s: an unknown option is usage: 2', async (...command) => {
    expect(await cli(...command, '--no-such-flag')).toBe(2);
    expect(errors.join('')).toContain("unknown option '--no-such-flag'");
  });

  it.each(COMMANDS)('%s: --help is not a failure: 0', async (...command) => {
    expect(await cli(...command.filter((c) => !c.startsWith('-')).slice(0, 2), '--help')).toBe(0);
  });

  it.each(COMMANDS.filter(([c]) => c !== 'init'))('%s: an invalid config is setup: 2', async (...command) => {
    const config = path.join(dir, 'firedrill.config.ts');
    writeFileSync(config, `export default { environments: { local: { baseUrl: 'localhost:8080' } } };\n`);
    expect(await cli('-c', config, ...command)).toBe(2);
    expect(errors.join('')).toContain(
      'environments.local.baseUrl: expected an http(s) URL like http://localhost:8080, got "localhost:8080"',
    );
  });

  it('--version: 0', async () => {
    expect(await cli('--version')).toBe(0);
  });
});
