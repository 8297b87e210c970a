import type { ConditionResult, Lane, Result, TimelineEvent } from '../core/result.ts';
import { formatDuration } from './summary.ts';
import { formatMetric } from './units.ts';

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
  /**
   * measured − max, when positive: the hop took longer than the live config can explain at all
   * (firedrill, the network, a rule expression slow to build up). The hop's condition may still
   * have passed within its `within`; this is said beside it, never hidden behind the pass.
   */
  overBudgetMs?: number;
}

const HOP_KEY = /^(?:hop_ms|pipeline_expected_ms|pipeline_max_ms|pipeline_min_ms)_(.+)$/;

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
    const overBudgetMs =
      measuredMs !== undefined && maxMs !== undefined && measuredMs > maxMs ? measuredMs - maxMs : undefined;
    return [
      {
        hop,
        lane,
        ...(measuredMs !== undefined && { measuredMs }),
        ...(expectedMs !== undefined && { expectedMs }),
        ...(maxMs !== undefined && { maxMs }),
        ...(beyondMs !== undefined && { beyondMs }),
        ...(overBudgetMs !== undefined && { overBudgetMs }),
      },
    ];
  });
}

/** `14s, over its 12s budget`: a hop past the live config's worst case, in words. */
export function overBudgetText(h: HopMeasure): string | undefined {
  if (h.overBudgetMs === undefined || h.measuredMs === undefined || h.maxMs === undefined) return undefined;
  return `${formatDuration(h.measuredMs)}, over its ${formatDuration(h.maxMs)} budget`;
}

/** Metric keys the hop table and the timeline already show, kept out of a report's plain metrics list. */
export function isHopMetric(key: string): boolean {
  return HOP_KEY.test(key) || key.startsWith('beyond_pipeline_ms_');
}

const DURATION_KEY = /^(within|timeout|after|for|deadline)$|Ms$/;

/** `alertFires HighApiErrorRate · source prometheus · within 30.0s`: the condition as a reader would say it. */
export function describeCondition(c: { type: string } & Record<string, unknown>): string {
  const parts = Object.entries(c)
    .filter(([k, v]) => k !== 'type' && k !== 'hop' && v !== undefined)
    .map(([k, v]) => {
      if (typeof v === 'number' && DURATION_KEY.test(k))
        return `${k.replace(/Ms$/, '')} ${formatDuration(v)}`;
      // The subject of a condition (alert name, channel, index) reads best bare.
      if (/^(alert|name|channel|index|query)$/.test(k) && typeof v === 'string') return v;
      return `${k} ${definitionValue(v)}`;
    });
  return parts.length > 0 ? `${c.type} ${parts.join(' · ')}` : c.type;
}

/**
 * A field of a condition's definition: label sets as PromQL writes them (`{severity="critical"}`),
 * `require` entries as `user_id where route=/api/items`; never the JSON of the object.
 */
function definitionValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(definitionValue).join('; ');
  if (isRecord(v)) {
    const { when, fields } = v;
    if (Array.isArray(fields) && isRecord(when)) return `${fields.join(', ')} where ${pairs(when, '=')}`;
    return `{${pairs(v, '=', true)}}`;
  }
  return formatValue(v, 60);
}

function pairs(o: Record<string, unknown>, sep: string, quote = false): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}${sep}${quote && typeof v === 'string' ? JSON.stringify(v) : definitionValue(v)}`)
    .join(', ');
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Epoch ms a drill's `within` deadlines count from: the injection. Every observe condition carries
 * its deadline and `within`, so it is read from them; the first inject event is the fallback.
 */
export function injectedAt(r: Result): number {
  const c = (r.conditions ?? []).find((c) => c.phase === 'observe');
  if (c) return c.deadline - c.withinMs;
  return (r.timeline ?? []).find((e) => e.phase === 'inject')?.at ?? r.start;
}

/** `+12.40s`, `−0.30s`: a moment relative to the injection, never the epoch ms it is stored as. */
export function offsetFrom(anchor: number, at: number): string {
  const ms = at - anchor;
  return `${ms < 0 ? '−' : '+'}${(Math.round(Math.abs(ms) / 10) / 100).toFixed(2)}s`;
}

/**
 * Where a failed condition's message went instead (`{ channel, postedAt }`, as the Slack
 * verifiers record a misroute), so a report says "arrived in #other at +x s", not "not seen".
 */
export function arrivedElsewhere(c: ConditionResult): { channel: string; at: number } | undefined {
  if (c.status !== 'fail' && c.status !== 'error') return undefined;
  const a = c.actual;
  if (!isRecord(a) || typeof a.channel !== 'string' || typeof a.postedAt !== 'number') return undefined;
  // noSlackMessage records the channel that must stay quiet, which is where it arrived, too.
  return { channel: a.channel, at: a.postedAt };
}

/**
 * What a condition saw, as a phrase: `state firing · active +8.85s · labels {severity="critical"}`.
 * Moments (`postedAt`, `activeAt`, stored as epoch ms) read as offsets from `anchor`, `…Ms`
 * numbers as durations, other numbers by their unit; an id beside the name it stands for is dropped.
 */
export function describeActual(actual: unknown, anchor: number, max = 240): string {
  const s = actualPhrase(actual, anchor, '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function actualPhrase(v: unknown, anchor: number, key: string): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return key === 'text' ? `"${clip(v, 80)}"` : clip(v, 120);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') {
    if (/At$/.test(key) && v > 1e12) return offsetFrom(anchor, v);
    if (/Ms$/.test(key)) return formatDuration(v);
    return key ? formatMetric(key, v) : formatMetric('value', v);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return 'none';
    return v.map((x) => actualPhrase(x, anchor, key.replace(/s$/, ''))).join(isRecord(v[0]) ? '; ' : ', ');
  }
  if (!isRecord(v)) return formatValue(v);
  if (key === 'labels' || (key !== '' && Object.values(v).every((x) => typeof x === 'string')))
    return `{${pairs(v, '=', true)}}`;
  const inner = /Ms$/.test(key);
  const parts = Object.entries(v)
    .filter(([k, x]) => keep(k, x, v))
    .map(([k, x]) => {
      const words = k
        .replace(/(At|Ms)$/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase();
      // `ingestDelayMs: { min, max }`: the unit is the parent's.
      return `${words} ${actualPhrase(x, anchor, inner && typeof x === 'number' ? `${k}Ms` : k)}`;
    });
  return key === '' ? parts.join(' · ') : `(${parts.join(', ')})`;
}

/** Noise in a report: empty values, false flags, zero waits, an id beside the name it stands for. */
function keep(k: string, x: unknown, all: Record<string, unknown>): boolean {
  if (x === undefined || x === null || x === false) return false;
  if (Array.isArray(x) && x.length === 0) return false;
  if (/Ms$/.test(k) && x === 0) return false;
  return !(/Id$/.test(k) && k.slice(0, -2) in all);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

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
