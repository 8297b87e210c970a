import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brokenDefinitions,
  scanDefinitionFolder,
  selectedBroken,
} from '../../../packages/firedrill/src/config/definition-files.ts';
import { ConfigError } from '../../../packages/firedrill/src/config/load.ts';

function folder(names: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-defs-'));
  mkdirSync(path.join(dir, 'probes'));
  for (const n of names) writeFileSync(path.join(dir, 'probes', n), 'export default {};\n');
  return path.join(dir, 'probes');
}

describe('a definition folder', () => {
  it('takes the files the pattern matches and warns of look-alikes, leaving helpers alone', async () => {
    const dir = folder([
      'login.probe.ts',
      'login.probe.js',
      'search.prob.ts',
      'checkout-probe.ts',
      'cart.probes.ts',
      'app-down.drill.ts',
      'steps.ts',
      'README.md',
      'data.json',
    ]);
    const { matched, stray } = await scanDefinitionFolder(dir, 'probes', '*.probe.ts', 'probe');
    expect(matched).toEqual(['login.probe.ts']);
    expect(stray).toEqual([
      {
        file: 'probes/app-down.drill.ts',
        reason: 'a drill file in the probe folder; not loaded (probes match *.probe.ts)',
      },
      { file: 'probes/cart.probes.ts', reason: 'not loaded: probe files match *.probe.ts' },
      { file: 'probes/checkout-probe.ts', reason: 'not loaded: probe files match *.probe.ts' },
      { file: 'probes/login.probe.js', reason: 'not loaded: probe files match *.probe.ts' },
      { file: 'probes/search.prob.ts', reason: 'not loaded: probe files match *.probe.ts' },
    ]);
  });

  it('is empty when missing', async () => {
    expect(await scanDefinitionFolder('/nonexistent/probes', 'probes', '*.probe.ts', 'probe')).toEqual({
      matched: [],
      stray: [],
    });
  });
});

describe('broken definitions', () => {
  const broken = brokenDefinitions(
    [
      { file: 'probes/a.probe.ts', path: 'schedule', message: 'invalid cron' },
      { file: 'probes/a.probe.ts', path: 'kind', message: 'bad kind' },
      { file: 'probes/b.probe.ts', path: '', message: 'failed to load: SyntaxError' },
    ],
    (file) => (file.endsWith('a.probe.ts') ? { id: 'alpha', tags: ['smoke'] } : undefined),
    '.probe.ts',
  );

  it('are grouped per file, named by their id or else their file', () => {
    expect(broken.map((b) => [b.id, b.tags, b.diagnostics.length])).toEqual([
      ['alpha', ['smoke'], 2],
      ['b', undefined, 1],
    ]);
  });

  it('are selected like the others: all without filters, by tag, never when others are named', () => {
    expect(selectedBroken(broken, { names: [] }).map((b) => b.id)).toEqual(['alpha', 'b']);
    expect(selectedBroken(broken, { names: [], tags: ['smoke'] }).map((b) => b.id)).toEqual(['alpha']);
    expect(selectedBroken(broken, { names: [], grep: '^b' }).map((b) => b.id)).toEqual(['b']);
    expect(selectedBroken(broken, { names: ['other'] })).toEqual([]);
  });

  it('refuse a command that names one, with its problems', () => {
    expect(() => selectedBroken(broken, { names: ['alpha'] })).toThrow(ConfigError);
    expect(() => selectedBroken(broken, { names: ['alpha'] })).toThrow(
      'probes/a.probe.ts: schedule: invalid cron',
    );
  });
});
