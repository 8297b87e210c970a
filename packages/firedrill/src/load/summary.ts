/**
 * k6's `--summary-export` JSON, as k6 writes it (legacy format, unchanged through k6 1.x; see the
 * captured fixtures in test/fixtures/k6/captured). Two quirks decide how it is read:
 * - a threshold's boolean is true when the threshold was CROSSED (failed), not when it held;
 * - a Rate's `passes` counts non-zero samples, so for `http_req_failed` it counts failures.
 * There is no metric type field: the type follows from the keys present.
 */

export type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

export interface MetricSummary {
  /** The key as k6 wrote it, e.g. `http_req_duration{flow:login}`. */
  key: string;
  /** Metric name without the tag filter: `http_req_duration`. */
  name: string;
  /** The sub-metric's tag filter: `{ flow: 'login' }`; empty for a whole metric. */
  tags: Record<string, string>;
  type: MetricType;
  /** Every number k6 exported: `p(95)`, `avg`, `count`, `rate`, `value`, `passes`, … */
  values: Record<string, number>;
  /** How many samples the metric saw (trend count, rate passes+fails, counter count). */
  samples: number | undefined;
  thresholds: ThresholdSummary[];
}

export interface ThresholdSummary {
  /** As written in the script: `p(95)<500`. */
  expression: string;
  ok: boolean;
}

export interface K6Summary {
  metrics: Map<string, MetricSummary>;
  checks: { name: string; passes: number; fails: number }[];
}

export class SummaryFormatError extends Error {
  override name = 'SummaryFormatError';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `http_req_duration{flow:login,step:get}` → name and tags. Tag values may hold `:`. */
export function parseMetricKey(key: string): { name: string; tags: Record<string, string> } {
  const open = key.indexOf('{');
  if (open < 0 || !key.endsWith('}')) return { name: key, tags: {} };
  const tags: Record<string, string> = {};
  for (const part of key.slice(open + 1, -1).split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return { name: key.slice(0, open), tags };
}

function metricType(values: Record<string, number>): MetricType {
  if ('passes' in values || 'fails' in values) return 'rate';
  if ('p(95)' in values || 'med' in values || 'avg' in values) return 'trend';
  if ('rate' in values && 'count' in values) return 'counter';
  return 'gauge';
}

function samplesOf(type: MetricType, values: Record<string, number>): number | undefined {
  if (type === 'rate') return (values.passes ?? 0) + (values.fails ?? 0);
  if (type === 'trend' || type === 'counter') return values.count;
  return undefined;
}

/** Parses and checks the shape; a file k6 did not write fails here with the key that is wrong. */
export function parseSummaryExport(json: unknown): K6Summary {
  if (!isRecord(json) || !isRecord(json.metrics)) {
    throw new SummaryFormatError('not a k6 --summary-export file: no "metrics" object');
  }
  const metrics = new Map<string, MetricSummary>();
  for (const [key, raw] of Object.entries(json.metrics)) {
    if (!isRecord(raw)) throw new SummaryFormatError(`metrics.${key}: expected an object`);
    const values: Record<string, number> = {};
    const thresholds: ThresholdSummary[] = [];
    for (const [field, value] of Object.entries(raw)) {
      if (field === 'thresholds') {
        if (!isRecord(value)) throw new SummaryFormatError(`metrics.${key}.thresholds: expected an object`);
        for (const [expression, crossed] of Object.entries(value)) {
          if (typeof crossed !== 'boolean') {
            throw new SummaryFormatError(
              `metrics.${key}.thresholds[${JSON.stringify(expression)}]: expected a boolean, got ${JSON.stringify(crossed)}`,
            );
          }
          thresholds.push({ expression, ok: !crossed });
        }
      } else if (typeof value === 'number') {
        values[field] = value;
      }
    }
    const type = metricType(values);
    metrics.set(key, {
      key,
      ...parseMetricKey(key),
      type,
      values,
      samples: samplesOf(type, values),
      thresholds,
    });
  }
  const checks: K6Summary['checks'] = [];
  collectChecks(json.root_group, checks);
  return { metrics, checks };
}

function collectChecks(group: unknown, into: K6Summary['checks']): void {
  if (!isRecord(group)) return;
  if (isRecord(group.checks)) {
    for (const c of Object.values(group.checks)) {
      if (isRecord(c) && typeof c.name === 'string') {
        into.push({ name: c.name, passes: Number(c.passes ?? 0), fails: Number(c.fails ?? 0) });
      }
    }
  }
  if (isRecord(group.groups)) for (const g of Object.values(group.groups)) collectChecks(g, into);
}

export interface ThresholdExpression {
  /** `p(95)`, `avg`, `rate`, `count`, `value`, … */
  stat: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
  limit: number;
}

/** `p(95)<500` → `{ stat: 'p(95)', op: '<', limit: 500 }`; undefined for what k6 would reject. */
export function parseThresholdExpression(expression: string): ThresholdExpression | undefined {
  const m = /^\s*([a-z]+(?:\(\s*[\d.]+\s*\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i.exec(
    expression,
  );
  if (!m) return undefined;
  return {
    stat: m[1]!.replace(/\s+/g, ''),
    op: m[2] as ThresholdExpression['op'],
    limit: Number(m[3]),
  };
}

/** The number a threshold judged: for `rate` on a Rate k6 exports it as `value`. */
export function observedValue(metric: MetricSummary, stat: string): number | undefined {
  if (metric.type === 'rate' && stat === 'rate') return metric.values.value;
  return metric.values[stat];
}
