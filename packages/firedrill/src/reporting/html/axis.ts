/** A time axis shared by every row of one chart, so bars and markers line up across rows. */
export interface TimeAxis {
  /** Epoch ms at the left edge. */
  from: number;
  /** Span in ms; never 0. */
  span: number;
  /** Offsets in ms from `from` where gridlines and labels go. */
  ticks: number[];
}

const NICE = [1, 2, 2.5, 5, 10];

/** Gridline spacing from 1-2-5 steps, so labels read 0s, 5s, 10s rather than 0s, 4.7s, 9.4s. */
export function niceStep(span: number, maxTicks = 8): number {
  const rough = span / maxTicks;
  const pow = 10 ** Math.floor(Math.log10(rough));
  for (const n of NICE) if (n * pow >= rough) return n * pow;
  return 10 * pow;
}

export function timeAxis(from: number, to: number, maxTicks = 8): TimeAxis {
  const span = Math.max(1, to - from);
  const step = niceStep(span, maxTicks);
  const ticks: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) ticks.push(t);
  return { from, span, ticks };
}

/** Position of an epoch-ms moment as a percentage of the axis, clamped to it. */
export function pct(axis: TimeAxis, at: number): number {
  return Math.min(100, Math.max(0, ((at - axis.from) / axis.span) * 100));
}

/** Tick label: the unit follows the step, so a 400 ms chart says 100ms, 200ms and a 3-minute one 30s, 60s. */
export function tickLabel(ms: number, span: number): string {
  if (span < 2000) return `${Math.round(ms)}ms`;
  if (span < 180_000) return `${+(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
