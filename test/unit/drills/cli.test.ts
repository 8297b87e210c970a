import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDrillCommands } from '../../../packages/firedrill/src/cli/drill-command.ts';
import { buildProgram } from '../../../packages/firedrill/src/cli/program.ts';
import { Journal } from '../../../packages/firedrill/src/drills/journal.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A project of its own: config/firedrill.config.ts, alert-tests/, and a state dir. */
function project(env: string): { dir: string; config: string; stateDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'firedrill-cli-'));
  mkdirSync(path.join(dir, 'config'));
  mkdirSync(path.join(dir, 'alert-tests'));
  const config = path.join(dir, 'config/firedrill.config.ts');
  writeFileSync(
    config,
    `import { defineConfig } from '${ROOT}/packages/firedrill/src/config/define.ts';\nexport default defineConfig({ stateDir: 'state', environments: { ${env} } });\n`,
  );
  writeFileSync(
    path.join(dir, 'alert-tests/one.drill.ts'),
    `import { defineDrill, shell, promql } from '${ROOT}/packages/firedrill/src/drills/define.ts';\nexport default defineDrill({ id: 'one', name: 'One', fault: shell({ inject: 'true', rollback: 'true' }), expect: [promql('up', { op: '>', value: 0, within: '1s' })] });\n`,
  );
  return { dir, config, stateDir: path.join(dir, 'state') };
}

async function cli(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const program = buildProgram().exitOverride();
  if (!program.commands.some((c) => c.name() === 'drill')) registerDrillCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'firedrill', ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  process.exitCode = undefined;
  return { out, code };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('firedrill drill / rollback', () => {
  it('lists the drills', async () => {
    const p = project(`local: { baseUrl: 'http://127.0.0.1:9', allowFaults: true }`);
    expect((await cli(['-c', p.config, 'drill', '--list'])).out).toBe('one  One  alert-tests/one.drill.ts\n');
  });

  it.each([
    [
      `local: { baseUrl: 'http://127.0.0.1:9' }`,
      'environment "local" does not allow faults: set allowFaults: true for it in the config to run drills there',
    ],
    [
      `local: { baseUrl: 'http://127.0.0.1:9', allowFaults: true, production: true }`,
      'environment "local" is marked production: pass --yes-production to inject faults there',
    ],
  ])('refuses %s before anything runs', async (env, message) => {
    const p = project(env);
    await expect(cli(['-c', p.config, 'drill'])).rejects.toThrow(message);
  });

  it('rollback reports and clears leftover journals, and is idempotent', async () => {
    const p = project(`local: { baseUrl: 'http://127.0.0.1:9', allowFaults: true }`);
    const j = await Journal.create(p.stateDir, {
      runId: 'one-dead01',
      drillId: 'one',
      environment: 'local',
      target: { baseUrl: 'http://127.0.0.1:9' },
    });
    const i = await j.intend({ type: 'shell', inject: 'true', rollback: 'true' }, 'shell: true');
    await j.injected(i, { type: 'shell', target: 'true', ids: [], injectedAt: Date.now() });
    // Pretend its writer died: the journal names a pid that is not running.
    const rec = JSON.parse((await import('node:fs')).readFileSync(j.file, 'utf8'));
    writeFileSync(j.file, JSON.stringify({ ...rec, pid: 2 ** 22 + 1, procStart: 1 }));
    const first = await cli(['-c', p.config, 'rollback']);
    expect(first.out).toMatch(
      /^journal one-dead01\.json \(drill one\): cleared\n {2}shell: true \(rollback: true\): ran in \d+ ms\n$/,
    );
    expect(first.code).toBe(0);
    expect((await cli(['-c', p.config, 'rollback'])).out).toBe(
      'no rollback journals left behind: nothing to undo\n',
    );
  });
});
