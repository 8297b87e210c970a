import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type JsonReport, JsonReporter } from '../../../packages/firedrill/src/reporters/json.ts';
import { fixtureResults, RUN_ID, runOf, T0 } from '../../fixtures/results/index.ts';
import { Capture, replay } from './helpers.ts';

describe('JsonReporter', () => {
  it('writes { version, runId, startedAt, durationMs, exitCode, results } with every Result unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-json-'));
    const path = join(dir, 'out/results.json');
    const run = runOf(fixtureResults());
    await replay(new JsonReporter({ path }), run);
    const doc = JSON.parse(await readFile(path, 'utf8')) as JsonReport;
    expect(Object.keys(doc)).toEqual(['version', 'runId', 'startedAt', 'durationMs', 'exitCode', 'results']);
    expect(doc).toMatchObject({ version: 2, runId: RUN_ID, startedAt: T0, durationMs: 112_500, exitCode: 1 });
    expect(doc.results).toEqual(JSON.parse(JSON.stringify(run.results)));
  });

  it('json=- writes the document to stdout and says so', async () => {
    const out = new Capture();
    const reporter = new JsonReporter({ stdout: out });
    expect(reporter.printsToStdout()).toBe(true);
    await replay(reporter, runOf(fixtureResults().slice(0, 1)));
    expect(JSON.parse(out.text)).toMatchObject({ version: 2, exitCode: 0, results: [{ id: 'api' }] });
  });

  it('derives runId and startedAt from the results when onBegin never came', async () => {
    const out = new Capture();
    const run = runOf(fixtureResults());
    await new JsonReporter({ stdout: out }).onEnd(run.summary);
    expect(JSON.parse(out.text)).toMatchObject({ runId: RUN_ID, startedAt: T0 });
  });
});
