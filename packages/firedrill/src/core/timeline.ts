import type { Lane, TimelineEvent } from './result.ts';

export type DrillPhase = TimelineEvent['phase'];

/** Told about every timeline event the moment it is recorded (live console during a game day). */
export type DrillEventListener = (event: TimelineEvent, drill: { id: string; runId: string }) => void;

/**
 * Moments the hop latencies are computed from, each an epoch ms, first value wins.
 * `injected` and `rolledBack` anchor the hops; the rest are when each system showed the drill.
 * `ruleActive` is Prometheus' `activeAt`: the evaluation slot that first found the rule true.
 */
export const MARKS = [
  'injected',
  'firstBadSample',
  'firstBadAnswered',
  'lastBadAnswered',
  'ruleActive',
  'pending',
  'firing',
  'webhookReceived',
  'slackPosted',
  'slackSeen',
  'logsSeen',
  'rollbackStarted',
  'rolledBack',
  'resolved',
  'webhookResolved',
  'slackResolvedPosted',
  'slackResolvedSeen',
] as const;
export type Mark = (typeof MARKS)[number];

/** A drill run's timeline: events in the order they are recorded, each passed on at once. */
export class Timeline {
  readonly events: TimelineEvent[] = [];
  readonly marks: Partial<Record<Mark, number>> = {};

  constructor(
    private readonly drill: { id: string; runId: string },
    private readonly listener?: DrillEventListener,
  ) {}

  /**
   * `lane` is the hop the event belongs to, said by the code that saw it. `at` may lie in the
   * past: a system's own timestamp (Prometheus' activeAt) placed where it belongs.
   */
  add(
    lane: Lane,
    phase: DrillPhase,
    event: string,
    detail?: Record<string, unknown>,
    at = Date.now(),
  ): TimelineEvent {
    const e: TimelineEvent = { at, phase, lane, event, ...(detail ? { detail } : {}) };
    this.events.push(e);
    try {
      this.listener?.(e, this.drill);
    } catch {
      // A broken live reporter must never break the drill (and so never skip its rollback).
    }
    return e;
  }

  /** Records a moment once; later calls for the same mark are ignored. Returns whether it was new. */
  mark(name: Mark, at = Date.now()): boolean {
    return recordMark(this.marks, name, at);
  }

  /** Marks a condition returned: the earliest sighting of each moment wins. */
  merge(marks: Partial<Record<Mark, number>> | undefined): void {
    for (const [name, at] of Object.entries(marks ?? {}) as [Mark, number][]) {
      const had = this.marks[name];
      if (had === undefined || at < had) this.marks[name] = at;
    }
  }

  /** Events ordered by time, for the result (systems' own timestamps arrive out of order). */
  sorted(): TimelineEvent[] {
    return [...this.events].sort((a, b) => a.at - b.at);
  }
}

/** Sets `name` in `marks` unless already set; whether it was new. */
export function recordMark(marks: Partial<Record<Mark, number>>, name: Mark, at = Date.now()): boolean {
  if (marks[name] !== undefined) return false;
  marks[name] = at;
  return true;
}
