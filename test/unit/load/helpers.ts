import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findK6, type K6Runtime } from '../../../packages/firedrill/src/load/find-k6.ts';
import { parseSummaryExport } from '../../../packages/firedrill/src/load/summary.ts';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const K6_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'k6');
export const CAPTURED = path.join(K6_FIXTURES, 'captured');

export interface CapturedCase {
  case: string;
  script: string;
  env: Record<string, string>;
  exitCode: number;
  summaryFile: string | null;
  stderrLastLine: string;
}

export const captured = JSON.parse(readFileSync(path.join(CAPTURED, 'cases.json'), 'utf8')) as {
  k6Version: string;
  cases: CapturedCase[];
};

export function capturedCase(name: string): CapturedCase {
  const c = captured.cases.find((x) => x.case === name);
  if (!c) throw new Error(`no captured case ${name}`);
  return c;
}

export function capturedSummary(name: string) {
  return parseSummaryExport(JSON.parse(readFileSync(path.join(CAPTURED, `${name}.summary.json`), 'utf8')));
}

/**
 * A real k6 binary (never Docker: unit tests must not pull images), or why there is none. Tests
 * that need one skip with this reason in their output rather than passing silently.
 */
export async function realK6(): Promise<
  { k6: K6Runtime; reason?: undefined } | { k6?: undefined; reason: string }
> {
  try {
    return { k6: await findK6({ docker: false }) };
  } catch (err) {
    return { reason: noK6Reason((err as Error).message.replace(/\s+/g, ' ')) };
  }
}

/**
 * Why a k6 test skips. In CI it may not: scripts/setup.sh installs k6 before any test runs, so a
 * missing binary there is a broken install step, and it fails instead of skipping unseen.
 */
export function noK6Reason(why: string): string {
  const reason = `no k6 binary: ${why}`;
  if (process.env.CI) throw new Error(`${reason} (in CI scripts/setup.sh installs k6: its install failed)`);
  return reason;
}
