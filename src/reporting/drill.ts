import type { ConditionResult, Result, TimelineEvent } from '../core/result.ts';
import { formatDuration } from './summary.ts';

/** The hops of an alert path, in the order a drill walks them; one swimlane each in the HTML report. */
export const HOPS = ['inject', 'fire', 'notify', 'log', 'rollback', 'resolve'] as const;
export type Hop = (typeof HOPS)[number];
export type Lane = Hop | 'preflight' | 'other';
export const LANES: readonly Lane[] = ['preflight', ...HOPS, 'other'];

const HOP_SET: ReadonlySet<string> = new Set(HOPS);

/**
 * Which hop a timeline event belongs to. `TimelineEvent` has a phase but no hop, so an explicit
 * `detail.hop` wins, then the phase where it is unambiguous, then the event's wording within
 * `observe` (where firing, notification and logs are awaited concurrently).
 */
export function laneOfEvent(e: TimelineEvent): Lane {
  const hop = e.detail?.hop;
  if (typeof hop === 'string' && HOP_SET.has(hop)) return hop as Hop;
  if (e.phase === 'preflight' || e.phase === 'inject' || e.phase === 'rollback') return e.phase;
  const text = e.event.toLowerCase();
  if (/resolv/.test(text)) return 'resolve';
  if (e.phase === 'resolve') return 'resolve';
  if (/slack|notif|message|webhook/.test(text)) return 'notify';
  if (/\blogs?\b|elasticsearch|opensearch|index/.test(text)) return 'log';
  if (/fir|alert|pending|promql/.test(text)) return 'fire';
  return 'other';
}

/** Which hop a condition proves, from its serialized type (`alertFires`, `slackMessage`, `logsArrive`, …). */
export function laneOfCondition(c: ConditionResult): Lane {
  const hop = c.condition.hop;
  if (typeof hop === 'string' && HOP_SET.has(hop)) return hop as Hop;
  const t = c.condition.type.toLowerCase();
  if (/resolv/.test(t)) return 'resolve';
  if (/slack|notif|message/.test(t)) return 'notify';
  if (/log/.test(t)) return 'log';
  if (/alert|fire|promql|query/.test(t)) return 'fire';
  if (/rollback/.test(t)) return 'rollback';
  return 'other';
}

export interface HopMeasure {
  hop: Hop;
  /** `metrics.hop_ms_<hop>`: the delay the drill measured. */
  measuredMs?: number;
  /** `metrics.pipeline_min_ms_<hop>`: the least the pipeline can do (scrape + evaluation + group_wait…). */
  pipelineMinMs?: number;
}

/** Hop delays a drill recorded in its metrics, in hop order; hops with neither number are left out. */
export function hopMeasures(result: Result): HopMeasure[] {
  const m = result.metrics ?? {};
  return HOPS.flatMap((hop) => {
    const measuredMs = m[`hop_ms_${hop}`];
    const pipelineMinMs = m[`pipeline_min_ms_${hop}`];
    if (measuredMs === undefined && pipelineMinMs === undefined) return [];
    return [
      {
        hop,
        ...(measuredMs !== undefined && { measuredMs }),
        ...(pipelineMinMs !== undefined && { pipelineMinMs }),
      },
    ];
  });
}

const DURATION_KEY = /^(within|timeout|after|for|deadline)$|Ms$/;

/** `alertFires HighApiErrorRate · within 30.0s`: the condition as a reader would say it. */
export function describeCondition(c: ConditionResult['condition']): string {
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
    .map(([k, v]) => `${k}=${formatValue(v, 40)}`)
    .join(' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
