import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_VERSION } from '../../../packages/firedrill/src/core/report-schema.ts';
import {
  MAX_RESULT_LINE_BYTES,
  parseResultLine,
  readResultsFile,
} from '../../../packages/firedrill/src/scheduler/results-file.ts';
import { bounded, CRASH_MESSAGE, jsonish, mutationsOf } from './arbitraries.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'firedrill-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const validLine = {
  version: REPORT_VERSION,
  id: 'api-items',
  name: 'Items API',
  kind: 'probe',
  status: 'fail',
  runId: 'r1',
  start: 1_700_000_000_000,
  durationMs: 12,
  steps: [
    {
      name: 'GET /api/items',
      status: 'fail',
      start: 1_700_000_000_000,
      durationMs: 10,
      error: { message: 'x' },
    },
  ],
  error: { message: 'expected 200, got 500', type: 'assertion' },
  artifacts: [{ kind: 'log', path: 'a.log' }],
  metrics: { http_status_code: 500 },
  probeKind: 'http',
};
const validText = JSON.stringify(validLine);

const lineArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(validText) },
  { weight: 3, arbitrary: mutationsOf(validLine).map((v) => JSON.stringify(v) ?? 'undefined') },
  { weight: 2, arbitrary: fc.nat(validText.length).map((n) => validText.slice(0, n)) },
  { weight: 2, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? '') },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(0, 1, 3, '2', null)
      .map((version) => JSON.stringify({ ...validLine, version })),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }).map((s) => s.replace(/\n/g, ' ')) },
);

function expectClear(problem: string, line: number): void {
  expect(problem).toMatch(new RegExp(`^line ${line}: \\S`));
  expect(problem).not.toMatch(CRASH_MESSAGE);
}

describe('results.jsonl reader on bad lines', () => {
  it('reads a line the writer writes', () => {
    const read = parseResultLine(validText, 1);
    expect(read.ok && read.result.id).toBe('api-items');
  });

  it('any line: a result or a problem naming the line, never a throw', () => {
    fc.assert(
      fc.property(lineArb, fc.integer({ min: 1, max: 10_000 }), (text, line) => {
        const read = parseResultLine(text, line);
        expect(read.line).toBe(line);
        if (!read.ok) expectClear(read.problem, line);
        else expect(read.result).not.toHaveProperty('version');
      }),
      bounded(300),
    );
  });

  it('a file of such lines, the last maybe torn: every non-blank line read or reported', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 8 }), fc.boolean(), async (lines, torn) => {
        const file = path.join(dir, `results-${n++}.jsonl`);
        const text = lines.join('\n') + (torn ? '' : '\n');
        writeFileSync(file, text);
        const { results, skipped } = await readResultsFile(file);
        const expected = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim() !== '');
        const ok = expected.filter(([l, i]) => parseResultLine(l, i).ok);
        expect(results).toHaveLength(ok.length);
        expect(skipped).toHaveLength(expected.length - ok.length);
        for (const p of skipped) expect(p).toMatch(/^line \d+: \S/);
      }),
      bounded(100),
    );
  });

  it('a line over the limit is skipped with its number; the lines around it are read', async () => {
    const file = path.join(dir, 'huge.jsonl');
    const huge = JSON.stringify({ ...validLine, name: 'x'.repeat(MAX_RESULT_LINE_BYTES) });
    writeFileSync(file, `${validText}\n${huge}\n${validText}\n`);
    const { results, skipped } = await readResultsFile(file);
    expect(results).toHaveLength(2);
    expect(skipped).toEqual([`line 2: over ${MAX_RESULT_LINE_BYTES} bytes`]);
    const read = parseResultLine(huge, 7);
    expect(read.ok || read.problem).toMatch(/^line 7: \d+ bytes, over the 8388608 byte limit$/);
  });

  it.each([
    ['{"version":2,"id":', /^line 1: not JSON \(a line cut short by a crash\?\): /],
    ['[]', /^line 1: expected a JSON object, got an array$/],
    ['{"id":"x"}', /^line 1: no version: written before results.jsonl lines carried one$/],
    [JSON.stringify({ ...validLine, version: 1 }), /^line 1: version 1; this firedrill reads version 2$/],
    [JSON.stringify({ ...validLine, steps: 'none' }), /^line 1: not a result: steps: /],
  ])('%s → %s', (text, message) => {
    const read = parseResultLine(text, 1);
    expect(read.ok || read.problem).toMatch(message);
  });
});
