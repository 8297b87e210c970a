import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { createReporters, loadFileReporters } from '../../../packages/firedrill/src/reporters/registry.ts';
import { ReporterSpecError } from '../../../packages/firedrill/src/reporting/definition.ts';
import { ReporterMultiplexer } from '../../../packages/firedrill/src/reporting/multiplexer.ts';
import { fixtureRun } from '../../fixtures/results/index.ts';
import { replay } from './helpers.ts';

// A team's own reporter, as it would write one: a plain object, a factory or a class.
const dir = mkdtempSync(path.join(tmpdir(), 'file-reporters-'));
const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
write(
  'object.ts',
  `export const seen: string[] = [];
export default { onResult(r: { id: string; status: string }) { seen.push(r.id + ':' + r.status); } };
`,
);
write(
  'factory.ts',
  `export const made: Array<string | undefined> = [];
export default (arg: string | undefined) => { made.push(arg); return { onEnd() {} }; };
`,
);
write(
  'klass.ts',
  `export const ends: number[] = [];
export default class Counter { constructor(readonly arg?: string) {} onEnd(s: { results: unknown[] }) { ends.push(s.results.length); } }
`,
);
write('nothing.ts', 'export default 42;\n');
write('throws.ts', 'throw new Error("boom at load");\n');

const opts = { outDir: dir, cwd: dir, env: {} };

describe('a reporter from a file (--reporter ./my-reporter.ts)', () => {
  it('takes an object, a factory (with its =arg) or a class, and runs them beside the built-ins', async () => {
    const specs = ['./object.ts', './factory.ts=weekly', './klass.ts', 'json'];
    const fromFiles = await loadFileReporters(specs, dir);
    const reporters = createReporters(specs, opts, fromFiles);
    expect(reporters.map((r) => r.name)).toEqual(['./object.ts', './factory.ts', './klass.ts', 'json']);
    const run = await fixtureRun(dir);
    await replay(new ReporterMultiplexer(reporters), run);
    const object = (await import(path.join(dir, 'object.ts'))) as { seen: string[] };
    const factory = (await import(path.join(dir, 'factory.ts'))) as { made: string[] };
    const klass = (await import(path.join(dir, 'klass.ts'))) as { ends: number[] };
    expect(object.seen).toEqual(run.results.map((r: Result) => `${r.id}:${r.status}`));
    expect(factory.made).toEqual(['weekly']);
    expect(klass.ends).toEqual([run.results.length]);
  });

  it('names every bad file at once, before anything runs', async () => {
    const err = await loadFileReporters(['./missing.ts', './nothing.ts', './throws.ts'], dir).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReporterSpecError);
    expect((err as Error).message.split('\n')).toEqual([
      `reporter file "./missing.ts": no file at ${path.join(dir, 'missing.ts')}`,
      'reporter file "./nothing.ts": its default export is not a Reporter, a function returning one, or a class',
      'reporter file "./throws.ts": failed to load: boom at load',
    ]);
  });
});
