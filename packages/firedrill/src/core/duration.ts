import { z } from 'zod';
import { show } from './show.ts';

/**
 * A span of time as drills write it: milliseconds as a number, or a string with a unit
 * (`'500ms'`, `'30s'`, `'2m'`, `'1h'`, or Prometheus-style compounds like `'1m30s'`).
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}` | (string & {});

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
// Same grammar as Prometheus durations (`1m30s`), so `for:` values read from rules parse too.
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Milliseconds for a duration, or `undefined` when the text is not one. */
export function tryParseDuration(d: unknown): number | undefined {
  if (typeof d === 'number') return Number.isFinite(d) && d >= 0 ? d : undefined;
  if (typeof d !== 'string' || d.length === 0) return undefined;
  if (d === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < d.length) {
    PART.lastIndex = pos;
    const m = PART.exec(d);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  return total;
}

/** Milliseconds for a duration; throws with the offending text when it is not one. */
export function parseDuration(d: Duration): number {
  const ms = tryParseDuration(d);
  if (ms === undefined)
    throw new Error(`expected a duration like '30s' or '1m30s', got ${JSON.stringify(d)}`);
  return ms;
}

/** Short human text for a span in ms: `850ms`, `1.4s`, `2m05s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/**
 * A duration field of a drill file: the author writes `'30s'` or `1500`, the plan holds ms.
 * Parsed here, once; nothing after the loader sees the text.
 */
export const durationMs = z
  .custom<Duration>((v) => tryParseDuration(v) !== undefined, {
    error: (iss) => `expected a duration like '30s' or 1500 (ms), got ${show(iss.input)}`,
  })
  .transform((d) => parseDuration(d));
