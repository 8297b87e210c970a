import type { ErrorInfo, Result, Status, StepResult } from '../core/result.ts';
import { parseThresholdExpression } from '../load/summary.ts';
import { formatIn, metricStatUnit } from './units.ts';

/** One k6 threshold of a load scenario's result, as a report row: an SLO that held or not. */
export interface ThresholdRow {
  /** k6's key, tag filter included: `http_req_duration{flow:login}`; undefined for the "no thresholds" note. */
  metric?: string;
  /** As the scenario wrote it: `p(95)<500`. */
  expression?: string;
  /** The stat it judges and the value k6 observed, in the metric's unit: `p(95)`, `3.45ms`. */
  stat?: string;
  observed?: string;
  samples?: number;
  status: Status;
  error?: ErrorInfo;
}

/**
 * A load result's steps are its thresholds (src/load/results.ts): named `<metric key> <expression>`,
 * timed 0 ms at the run's end, with the observed stat and the sample count in `timings`. They are
 * judged values, not timed steps, so reports draw them as rows, not as waterfall bars.
 */
export function thresholdRows(r: Result): ThresholdRow[] {
  if (r.kind !== 'scenario') return [];
  return r.steps.map(thresholdRow);
}

function thresholdRow(s: StepResult): ThresholdRow {
  const base = { status: s.status, ...(s.error ? { error: s.error } : {}) };
  const split = splitName(s.name);
  if (!split) return base;
  const parsed = parseThresholdExpression(split.expression);
  const value = parsed ? s.timings?.[parsed.stat] : undefined;
  const samples = s.timings?.samples;
  return {
    ...base,
    metric: split.metric,
    expression: split.expression,
    ...(parsed && { stat: parsed.stat }),
    ...(parsed &&
      value !== undefined && { observed: formatIn(metricStatUnit(split.metric, parsed.stat), value) }),
    ...(samples !== undefined && { samples }),
  };
}

/** `http_req_duration{flow:a b} p(95) < 500`: a tag value may hold spaces, so the key ends at its `}`. */
function splitName(name: string): { metric: string; expression: string } | undefined {
  const close = name.indexOf('{') >= 0 ? name.lastIndexOf('} ') : -1;
  const at = close >= 0 ? close + 1 : name.indexOf(' ');
  if (at <= 0) return undefined;
  const expression = name.slice(at + 1).trim();
  return expression ? { metric: name.slice(0, at), expression } : undefined;
}
