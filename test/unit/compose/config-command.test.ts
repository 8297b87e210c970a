import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerConfigCommands } from '../../../src/cli/config-command.ts';
import { generatedFiles } from '../../../src/monitoring-config/build.ts';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function program(): Command {
  const p = new Command('firedrill').exitOverride();
  registerConfigCommands(p);
  return p;
}

describe('firedrill config build', () => {
  it('--check: every generated file is up to date (exit 0)', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    await program().parseAsync(['node', 'firedrill', 'config', 'build', '--check']);
    expect(lines).toEqual([`monitoring config: ${generatedFiles().length} generated files up to date`]);
    expect(process.exitCode).toBe(0);
  });

  it('is described in the help', () => {
    const help = program()
      .commands.find((c) => c.name() === 'config')!
      .helpInformation();
    expect(help).toContain('build [options]');
    expect(generatedFiles().length).toBeGreaterThan(20);
  });
});
