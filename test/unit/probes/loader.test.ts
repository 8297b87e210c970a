import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatDiagnostic } from '../../../packages/firedrill/src/config/load.ts';
import { loadProbes, validateProbeModules } from '../../../packages/firedrill/src/probes/loader.ts';

const run = async () => {};
const ok = { id: 'api', kind: 'http', run };

function problems(value: unknown, environments?: string[]): string[] {
  return validateProbeModules([{ file: 'probes/x.probe.ts', value }], environments).diagnostics.map(
    formatDiagnostic,
  );
}

describe('probe definition diagnostics', () => {
  it.each<[string, unknown, string[]]>([
    ['a valid http probe', ok, []],
    [
      'a full browser probe',
      {
        ...ok,
        kind: 'browser',
        name: 'Login',
        schedule: '*/5 * * * *',
        timeoutMs: 1000,
        retries: 2,
        tags: ['a'],
        environments: ['local'],
      },
      [],
    ],
    ['a seconds-field schedule', { ...ok, schedule: '*/10 * * * * *' }, []],
    [
      'bad cron',
      { ...ok, schedule: '* * *' },
      ['probes/x.probe.ts: schedule: invalid cron expression "* * *" (expected 5 or 6 fields but got 3)'],
    ],
    [
      'cron out of range',
      { ...ok, schedule: '61 * * * *' },
      [
        'probes/x.probe.ts: schedule: invalid cron expression "61 * * * *" (minute: 61 is a invalid expression for minute)',
      ],
    ],
    [
      'cron not a string',
      { ...ok, schedule: 5 },
      ['probes/x.probe.ts: schedule: expected a cron expression string, got 5'],
    ],
    ['missing id', { kind: 'http', run }, ['probes/x.probe.ts: id: required']],
    [
      'id with capitals and spaces',
      { ...ok, id: 'Login Flow' },
      [
        'probes/x.probe.ts: id: expected lowercase letters, digits and dashes (like "api-items"), got "Login Flow"',
      ],
    ],
    [
      'id ending in a dash',
      { ...ok, id: 'api-' },
      ['probes/x.probe.ts: id: expected lowercase letters, digits and dashes (like "api-items"), got "api-"'],
    ],
    [
      'unknown kind',
      { ...ok, kind: 'grpc' },
      ['probes/x.probe.ts: kind: expected "browser" or "http", got "grpc"'],
    ],
    [
      'zero timeout',
      { ...ok, timeoutMs: 0 },
      ['probes/x.probe.ts: timeoutMs: expected a positive number of milliseconds, got 0'],
    ],
    [
      'string timeout',
      { ...ok, timeoutMs: '30s' },
      ['probes/x.probe.ts: timeoutMs: expected a positive number of milliseconds, got "30s"'],
    ],
    [
      'fractional retries',
      { ...ok, retries: 1.5 },
      ['probes/x.probe.ts: retries: expected an integer from 0 to 10, got 1.5'],
    ],
    [
      'too many retries',
      { ...ok, retries: 11 },
      ['probes/x.probe.ts: retries: expected an integer from 0 to 10, got 11'],
    ],
    [
      'tags not an array',
      { ...ok, tags: 'smoke' },
      ['probes/x.probe.ts: tags: expected an array of strings, got "smoke"'],
    ],
    [
      'a tag not a string',
      { ...ok, tags: ['a', 2] },
      ['probes/x.probe.ts: tags.1: expected a string, got 2'],
    ],
    ['run missing', { id: 'api', kind: 'http' }, ['probes/x.probe.ts: run: required (async run(ctx) { … })']],
    ['run not a function', { ...ok, run: 'go' }, ['probes/x.probe.ts: run: expected a function, got "go"']],
    [
      'a typo',
      { ...ok, shedule: '* * * * *' },
      ['probes/x.probe.ts: shedule: unknown property (did you mean "schedule"?)'],
    ],
    [
      'an unknown key',
      { ...ok, frobnicate: true },
      [
        'probes/x.probe.ts: frobnicate: unknown property (known: id, name, kind, schedule, timeoutMs, retries, tags, environments, run)',
      ],
    ],
    [
      'not an object',
      [ok],
      ['probes/x.probe.ts: default export is not a probe definition (export default defineProbe({ … }))'],
    ],
    [
      'everything wrong at once',
      { id: 'X', kind: 'ftp', schedule: 'daily', timeoutMs: -1 },
      [
        'probes/x.probe.ts: id: expected lowercase letters, digits and dashes (like "api-items"), got "X"',
        'probes/x.probe.ts: kind: expected "browser" or "http", got "ftp"',
        'probes/x.probe.ts: schedule: invalid cron expression "daily" (expected 5 or 6 fields but got 1)',
        'probes/x.probe.ts: timeoutMs: expected a positive number of milliseconds, got -1',
        'probes/x.probe.ts: run: required (async run(ctx) { … })',
      ],
    ],
  ])('%s', (_name, value, want) => {
    expect(problems(value)).toEqual(want);
  });

  it('checks environments against the configured ones', () => {
    expect(problems({ ...ok, environments: ['local', 'prod'] }, ['local', 'staging'])).toEqual([
      'probes/x.probe.ts: environments.1: names no configured environment "prod" (have: local, staging)',
    ]);
  });

  it('reports duplicate ids across files, naming both', () => {
    const { diagnostics, probes } = validateProbeModules([
      { file: 'probes/a.probe.ts', value: ok },
      { file: 'probes/b.probe.ts', value: { ...ok } },
      { file: 'probes/c.probe.ts', value: undefined },
      { file: 'probes/d.probe.ts', loadError: 'Unexpected token (3:4)\n  at somewhere' },
    ]);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'probes/b.probe.ts: id: duplicate id "api" (also in probes/a.probe.ts)',
      'probes/c.probe.ts: has no default export (export default defineProbe({ … }))',
      'probes/d.probe.ts: failed to load: Unexpected token (3:4)',
    ]);
    expect(probes.map((p) => p.file)).toEqual(['probes/a.probe.ts']);
  });
});

describe('loadProbes', () => {
  function project(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'firedrill-probes-'));
    mkdirSync(path.join(root, 'probes'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, 'probes', name), text);
    return root;
  }

  it('imports every *.probe.ts in file order and ignores other files', async () => {
    const root = project({
      'b.probe.ts': "export default { id: 'b', kind: 'http', run: async () => {} };",
      'a.probe.ts': "export default { id: 'a', kind: 'http', schedule: '* * * * *', run: async () => {} };",
      'helpers.ts': 'export const x = 1;',
    });
    const probes = await loadProbes({ root });
    expect(probes.map((p) => [p.file, p.definition.id])).toEqual([
      ['probes/a.probe.ts', 'a'],
      ['probes/b.probe.ts', 'b'],
    ]);
  });

  it('throws one ConfigError with every problem of every file', async () => {
    const root = project({
      'a.probe.ts': "export default { id: 'a', kind: 'http', schedule: '* * *', run: async () => {} };",
      'b.probe.ts': "export default { id: 'a', kind: 'http', retries: -1, run: async () => {} };",
      'c.probe.ts': "throw new Error('cannot reach the vault');",
    });
    const err = await loadProbes({ root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.split('\n')).toEqual([
      'probes/a.probe.ts: schedule: invalid cron expression "* * *" (expected 5 or 6 fields but got 3)',
      'probes/b.probe.ts: retries: expected an integer from 0 to 10, got -1',
      'probes/b.probe.ts: id: duplicate id "a" (also in probes/a.probe.ts)',
      'probes/c.probe.ts: failed to load: cannot reach the vault',
    ]);
  });

  it('finds nothing where there is no probes folder', async () => {
    expect(await loadProbes({ root: mkdtempSync(path.join(os.tmpdir(), 'firedrill-empty-')) })).toEqual([]);
  });

  it('loads the shipped probes', async () => {
    const probes = await loadProbes({
      root: path.resolve(import.meta.dirname, '../../..'),
      environments: ['local'],
    });
    expect(probes.map((p) => p.definition.id)).toEqual(expect.arrayContaining(['api', 'login']));
  });
});
