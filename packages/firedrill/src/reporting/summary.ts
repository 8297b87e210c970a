import { stripVTControlCharacters } from 'node:util';
import type { Result, ResultKind, Status, StepResult } from '../core/result.ts';

/** What every reporter shows at the top: how many of each outcome. Flaky ones also count as passed. */
export interface Counts {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  flaky: number;
}

export function countResults(results: readonly Result[]): Counts {
  const c: Counts = { total: results.length, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0 };
  for (const r of results) {
    if (r.status === 'pass') c.passed++;
    else if (r.status === 'fail') c.failed++;
    else if (r.status === 'error') c.errored++;
    else c.skipped++;
    if (r.flaky) c.flaky++;
  }
  return c;
}

export type Verdict = 'passed' | 'failed' | 'empty';

export function verdictOf(c: Counts): Verdict {
  if (c.failed + c.errored > 0) return 'failed';
  return c.total === c.skipped ? 'empty' : 'passed';
}

/** One sentence a person reads first: "2 failed, 1 errored of 7" or "all 7 passed". */
export function verdictLine(c: Counts): string {
  if (c.total === 0) return 'no results';
  const bad = [c.failed && `${c.failed} failed`, c.errored && `${c.errored} errored`].filter(Boolean);
  if (bad.length > 0) return `${bad.join(', ')} of ${c.total}`;
  if (c.passed === 0) return `all ${c.total} skipped`;
  const extra = [c.flaky && `${c.flaky} flaky`, c.skipped && `${c.skipped} skipped`].filter(Boolean);
  return `${c.passed === c.total ? `all ${c.total}` : `${c.passed} of ${c.total}`} passed${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

export interface SlowStep {
  result: Result;
  step: StepResult;
}

export function slowestSteps(results: readonly Result[], n: number): SlowStep[] {
  return results
    .flatMap((result) => result.steps.map((step) => ({ result, step })))
    .sort((a, b) => b.step.durationMs - a.step.durationMs)
    .slice(0, n);
}

/** Failures first: the reader came for them. Then errors, flaky, passes, skips; start time within a group. */
export function byInterest(results: readonly Result[]): Result[] {
  const rank = (r: Result) =>
    r.status === 'fail' ? 0 : r.status === 'error' ? 1 : r.flaky ? 2 : r.status === 'pass' ? 3 : 4;
  return [...results].sort((a, b) => rank(a) - rank(b) || a.start - b.start);
}

export const KIND_ORDER: readonly ResultKind[] = ['probe', 'scenario', 'drill'];

/** "412ms", "1.42s", "2m 03s", "1h 04m": short, and exact enough for the scale it is at. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 10_000) return `${sign}${(Math.round(abs / 10) / 100).toFixed(2)}s`;
  // Rounded in integers: 14950 / 1000 is 14.949999…, which toFixed(1) would print as 14.9.
  if (abs < 60_000) return `${sign}${Math.round(abs / 100) / 10}s`;
  const totalS = Math.round(abs / 1000);
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)}m ${String(totalS % 60).padStart(2, '0')}s`;
  return `${sign}${Math.floor(totalS / 3600)}h ${String(Math.floor((totalS % 3600) / 60)).padStart(2, '0')}m`;
}

/** Offset of a timeline moment from its drill's start, as the console and HTML print it: "+1.42s". */
export function formatOffset(ms: number): string {
  return `+${(Math.round(Math.max(0, ms) / 10) / 100).toFixed(2)}s`;
}

/**
 * The first meaningful line of an error message. Playwright and undici messages carry ANSI colour
 * codes and a multi-line call log; a one-line summary wants neither.
 */
export function firstLine(message: string | undefined, max = 200): string {
  const line =
    cleanText(message ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Strips terminal escape codes that errors from browser tooling carry into files and chat. */
export function cleanText(s: string): string {
  return stripVTControlCharacters(s).replace(/\r\n?/g, '\n');
}

export const STATUS_WORD: Record<Status, string> = {
  pass: 'passed',
  fail: 'failed',
  error: 'errored',
  skipped: 'skipped',
};
