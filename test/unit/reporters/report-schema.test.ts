import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_VERSION } from '../../../packages/firedrill/src/core/report-schema.ts';
import { jsonReport } from '../../../packages/firedrill/src/reporters/json.ts';
import { reportProblems } from '../../../packages/firedrill/src/reporting/validate-report.ts';
import { fixtureResults } from '../../fixtures/results/index.ts';

const PKG = path.resolve(import.meta.dirname, '../../../packages/firedrill');

describe('the published report schema', () => {
  const report = jsonReport({ results: fixtureResults(), exitCode: 1, durationMs: 1234 }, undefined);

  it('validates a report of probes, a load scenario and drills, and says what is wrong with a bad one', () => {
    expect(report.version).toBe(REPORT_VERSION);
    expect(reportProblems('report', report)).toBeUndefined();
    const drill = report.results.find((r) => r.kind === 'drill')!;
    const { hop: _, ...withoutHop } = drill.conditions![0]!;
    const bad = { ...report, results: [{ ...drill, conditions: [withoutHop] }] };
    expect(reportProblems('report', bad)).toContain(
      "/results/0/conditions/0 must have required property 'hop'",
    );
    expect(reportProblems('report', { ...report, version: 1 })).toContain(
      '/version must be equal to constant',
    );
  });

  it('takes a retried run’s attempts as an optional v2 field, and checks their shape', () => {
    const flaky = report.results.find((r) => r.id === 'image-processing')!;
    expect(flaky.attempts?.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'error'],
      [2, 'pass'],
    ]);
    expect(reportProblems('result-line', { version: REPORT_VERSION, ...flaky })).toBeUndefined();
    // Reports written before the field existed stay valid: it is optional, the version unchanged.
    const { attempts: _, ...older } = flaky;
    expect(reportProblems('report', { ...report, results: [older] })).toBeUndefined();
    const { status: __, ...noStatus } = flaky.attempts![0]!;
    expect(
      reportProblems('report', {
        ...report,
        results: [{ ...flaky, attempts: [noStatus, flaky.attempts![1]] }],
      }),
    ).toContain("/results/0/attempts/0 must have required property 'status'");
    expect(REPORT_VERSION).toBe(2);
  });

  it('validates a results.jsonl line, which carries the version', () => {
    const line = { version: REPORT_VERSION, ...report.results[0]! };
    expect(reportProblems('result-line', line)).toBeUndefined();
    expect(reportProblems('result-line', report.results[0])).toContain(
      "must have required property 'version'",
    );
  });

  it('is exported by the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8')) as {
      exports: Record<string, string>;
      files: string[];
    };
    expect(pkg.exports['./report.schema.json']).toBe('./schema/report.schema.json');
    expect(pkg.files).toContain('schema/');
    const published = JSON.parse(readFileSync(path.join(PKG, 'schema/report.schema.json'), 'utf8'));
    expect(published.$id).toBe(`urn:firedrill:schema:report:${REPORT_VERSION}`);
  });
});
