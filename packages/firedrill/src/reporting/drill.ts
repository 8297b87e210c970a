import type { ConditionResult, Lane, Result, TimelineEvent } from '../core/result.ts';
import { formatDuration } from './summary.ts';

export { HOPS, type Hop, LANES, type Lane } from '../core/result.ts';

/** The lane of a timeline event: what the code that recorded it said. */
export const laneOfEvent = (e: TimelineEvent): Lane => e.lane;

/** The lane of a condition: the hop its verifier proves. */
export const laneOfCondition = (c: ConditionResult): Lane => c.hop;

/**
 * Hops the drill runner measures (src/drills/hops.ts), in the order they happen. The six lanes
 * get the main ones; the in-between ones (pending, Alertmanager's webhook, the resolved message)
 * join the lane of the hop they lead to.
 */
const HOP_METRICS: ReadonlyArray<readonly [string, Lane]> = [
  ['first_bad_sample', 'inject'],
  ['pending', 'fire'],
  ['fire', 'fire'],
  ['alertmanager', 'notify'],
  ['notify', 'notify'],
  ['log', 'log'],
  ['resolve', 'resolve'],
  ['resolve_notify', 'resolve'],
];

export interface HopMeasure {
  /** The metric suffix: `fire` for `hop_ms_fire`. */
  hop: string;
  lane: Lane;
  /** `metrics.hop_ms_<hop>`: the delay the drill measured. */
  measuredMs?: number;
  /**
   * `metrics.pipeline_expected_ms_<hop>`: what this run's timing made unavoidable (the wait for
   * the next scrape and the next rule evaluation, `for`, group_wait).
   */
  expectedMs?: number;
  /** `metrics.pipeline_max_ms_<hop>`: the most the live config can cost (its worst case). */
  maxMs?: number;
  /** `metrics.beyond_pipeline_ms_<hop>`: measured − expected, the part the pipeline does not explain. */
  beyondMs?: number;
}

const HOP_KEY = /^(?:hop_ms|pipeline_expected_ms|pipeline_max_ms)_(.+)$/;

/** Hop delays a drill recorded in its metrics, known hops in order, then any others; hops with no number are left out. */
export function hopMeasures(result: Result): HopMeasure[] {
  const m = result.metrics ?? {};
  const known = new Set(HOP_METRICS.map(([h]) => h));
  const others = Object.keys(m)
    .map((k) => HOP_KEY.exec(k)?.[1])
    .filter((h): h is string => h !== undefined && !known.has(h));
  const hops: Array<readonly [string, Lane]> = [
    ...HOP_METRICS,
    ...[...new Set(others)].map((h) => [h, 'other'] as const),
  ];
  return hops.flatMap(([hop, lane]) => {
    const measuredMs = m[`hop_ms_${hop}`];
    const expectedMs = m[`pipeline_expected_ms_${hop}`];
    const maxMs = m[`pipeline_max_ms_${hop}`];
    if (measuredMs === undefined && expectedMs === undefined && maxMs === undefined) return [];
    const beyondMs =
      m[`beyond_pipeline_ms_${hop}`] ??
      (measuredMs !== undefined && expectedMs !== undefined ? measuredMs - expectedMs : undefined);
    return [
      {
        hop,
        lane,
        ...(measuredMs !== undefined && { measuredMs }),
        ...(expectedMs !== undefined && { expectedMs }),
        ...(maxMs !== undefined && { maxMs }),
        ...(beyondMs !== undefined && { beyondMs }),
      },
    ];
  });
}

/** Metric keys the hop table and the timeline already show, kept out of a report's plain metrics list. */
export function isHopMetric(key: string): boolean {
  return HOP_KEY.test(key) || key.startsWith('beyond_pipeline_ms_');
}

const DURATION_KEY = /^(within|timeout|after|for|deadline)$|Ms$/;

/** `alertFires HighApiErrorRate · within 30.0s`: the condition as a reader would say it. */
export function describeCondition(c: { type: string } & Record<string, unknown>): string {
  const parts = Object.entries(c)
    .filter(([k, v]) => k !== 'type' && k !== 'hop' && v !== undefined)
    .map(([k, v]) => {
      if (typeof v === 'number' && DURATION_KEY.test(k))
        return `${k.replace(/Ms$/, '')} ${formatDuration(v)}`;
      // The subject of a condition (alert name, channel, index) reads best bare.
      if (/^(alert|name|channel|index|query)$/.test(k) && typeof v === 'string') return v;
      return `${k} ${formatValue(v, 60)}`;
    });
  return parts.length > 0 ? `${c.type} ${parts.join(' · ')}` : c.type;
}

/** A value seen by a condition, in one short line. */
export function formatValue(v: unknown, max = 120): string {
  let s: string;
  if (v === undefined) s = '—';
  else if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Short `key=value` rendering of an event's detail for one console line; `hop` is implied by the lane. */
export function formatDetail(detail: Record<string, unknown> | undefined, max = 100): string {
  if (!detail) return '';
  const s = Object.entries(detail)
    .filter(([k]) => k !== 'hop')
    .map(([k, v]) => `${k}=${formatDetailValue(k, v)}`)
    .join(' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// Epoch ms read as a time of day, and ms counts as durations: `expiresAt=02:05:20Z waitedMs=14.7s`.
function formatDetailValue(key: string, v: unknown): string {
  if (typeof v === 'number' && /At$/.test(key) && v > 1e12)
    return `${new Date(v).toISOString().slice(11, 19)}Z`;
  if (typeof v === 'number' && /Ms$/.test(key)) return formatDuration(v);
  return formatValue(v, 40);
}
