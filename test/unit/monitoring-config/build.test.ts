import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generatedFiles, main, staleFiles } from '../../../config/build/build.ts';
import { composeGeneratedFiles } from '../../../config/build/compose-files.ts';
import { REPO_ROOT, run, tempDir } from './tools.ts';

const tmp = tempDir('build');
afterAll(() => tmp.remove());

describe('config/build/build.ts', () => {
  it('--check passes on the committed files (run as a program)', async () => {
    const result = await run('npx', ['tsx', 'config/build/build.ts', '--check'], REPO_ROOT);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`monitoring config: ${generatedFiles().length} generated files up to date\n`);
    expect(result.code).toBe(0);
  });

  it('generates the rule files, their tests, the Alertmanager example, the log and report schemas, then the compose stack', () => {
    expect(generatedFiles().map((f) => f.path)).toEqual([
      'config/prometheus/rules.fast.yml',
      'config/prometheus/rules.default.yml',
      'config/prometheus/tests/rules.fast.test.yml',
      'config/prometheus/tests/rules.default.test.yml',
      'config/alertmanager/alertmanager.example.yml',
      'config/schemas/backend-log.schema.json',
      'config/schemas/frontend-log.schema.json',
      'config/schemas/loguru-log.schema.json',
      'packages/firedrill/schema/report.schema.json',
      'packages/firedrill/schema/result-line.schema.json',
      // Pinned in test/unit/compose/generated-files.test.ts.
      ...composeGeneratedFiles().map((f) => f.path),
    ]);
  });

  it('--check names stale and missing files and exits 1; writing makes it pass', () => {
    const root = tmp.dir;
    cpSync(join(REPO_ROOT, 'config'), join(root, 'config'), { recursive: true });
    const schemas = 'packages/firedrill/schema';
    cpSync(join(REPO_ROOT, schemas), join(root, schemas), { recursive: true });
    const rules = join(root, 'config/prometheus/rules.fast.yml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('for: 0s', 'for: 1m'));
    writeFileSync(join(root, 'config/schemas/loguru-log.schema.json'), '{}\n');
    expect(staleFiles(root)).toEqual([
      'config/prometheus/rules.fast.yml',
      'config/schemas/loguru-log.schema.json',
    ]);

    const errors: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(main(['--check'], root)).toBe(1);
      expect(errors).toEqual([
        'stale: config/prometheus/rules.fast.yml',
        'stale: config/schemas/loguru-log.schema.json',
        'regenerate with: npm run config:build',
      ]);
      expect(main([], root)).toBe(0);
      expect(staleFiles(root)).toEqual([]);
      expect(main(['--fix'], root)).toBe(2);
      expect(errors.at(-1)).toBe('unknown argument "--fix"\nusage: build.ts [--check]');
    } finally {
      error.mockRestore();
      log.mockRestore();
    }
  });
});
