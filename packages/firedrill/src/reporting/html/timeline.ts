import type { ConditionResult, Result, TimelineEvent } from '../../core/result.ts';
import {
  arrivedElsewhere,
  formatDetail,
  HOPS,
  hopMeasures,
  LANES,
  type Lane,
  laneOfCondition,
  laneOfEvent,
} from '../drill.ts';
import { formatDuration, formatOffset } from '../summary.ts';
import { tickLabel, timeAxis } from './axis.ts';
import { type Html, html } from './escape.ts';
import { LabelLayout } from './labels.ts';

// SVG user units; the picture scales to the card width, text with it.
const W = 1000;
const X0 = 96;
const X1 = W - 16;
const TOP = 26;
const LANE_H = 58;
/** Marker line within a lane; label rows sit above and below it. */
const MID = 33;

const f = (n: number) => n.toFixed(1);

/** Drawing context shared by the parts of one timeline. */
interface Frame {
  x: (at: number) => number;
  laneIndex: Map<Lane, number>;
  laneY: (lane: Lane) => number | undefined;
  labels: LabelLayout;
  start: number;
  injectAt: number;
  /** Where a lane's delays are counted from: the rollback for `resolve`, the injection for the rest. */
  anchor: (lane: Lane) => number;
}

/**
 * The drill as a picture: one swimlane per hop on one time axis, with the fault window shaded,
 * each event where it happened, each hop's measured delay as a bar ending at the event that
 * closed it (what the pipeline made unavoidable hatched inside, a tick at the config's worst
 * case), and each failed condition as a dashed line
 * running to its deadline. A reader sees where the chain broke without reading a table.
 */
export function drillTimeline(r: Result, svgId: string): Html {
  const hatch = `${svgId}-hatch`;
  const events = [...(r.timeline ?? [])].sort((a, b) => a.at - b.at);
  const conditions = r.conditions ?? [];
  // The fault is active from its first "fault injected", not from the journal written before it.
  const injects = events.filter((e) => e.phase === 'inject');
  const injectAt = injects[0]?.at ?? r.start;
  const rollbackAt = r.rollback?.at ?? events.find((e) => laneOfEvent(e) === 'rollback')?.at;
  // Only a failed condition's deadline is part of the story; a met one's would just stretch the axis.
  const anchor = (lane: Lane) => (lane === 'resolve' ? (rollbackAt ?? injectAt) : injectAt);
  const deadlines = conditions.filter((c) => failed(c) && !arrivedElsewhere(c)).map((c) => c.deadline);
  const end = Math.max(
    r.start + r.durationMs,
    ...events.map((e) => e.at),
    ...deadlines,
    ...conditions.map((c) => c.satisfiedAt ?? 0),
    ...unreachedFloors(r).map((h) => anchor(h.hop) + h.expected),
  );
  const axis = timeAxis(r.start, end, 10);
  const x = (at: number) =>
    X0 + ((Math.min(Math.max(at, axis.from), axis.from + axis.span) - axis.from) / axis.span) * (X1 - X0);

  const used = new Set<Lane>([...events.map(laneOfEvent), ...conditions.map(laneOfCondition)]);
  const lanes = LANES.filter((l) => (HOPS as readonly string[]).includes(l) || used.has(l));
  const laneIndex = new Map(lanes.map((l, i) => [l, i]));
  const laneY = (l: Lane) => {
    const i = laneIndex.get(l);
    return i === undefined ? undefined : TOP + i * LANE_H;
  };
  const labels = new LabelLayout(X1, (i) => [TOP + i * LANE_H + 15, TOP + i * LANE_H + 54]);
  const fr: Frame = { x, laneIndex, laneY, labels, start: r.start, injectAt, anchor };
  const height = TOP + lanes.length * LANE_H + 6;

  const bands = lanes.map((lane, i) => {
    const y = TOP + i * LANE_H;
    const v = laneVerdict(conditions.filter((c) => laneOfCondition(c) === lane));
    return html`<rect class="lane ${i % 2 ? 'odd' : ''}" x="0" y="${y}" width="${W}" height="${LANE_H}"></rect>
      <text class="lane-label l-${lane}" x="10" y="${y + MID + 5}">${lane}</text>
      ${v ? html`<text class="lane-verdict ${v.cls}" x="${X0 - 10}" y="${y + MID + 5}" text-anchor="end">${v.mark}</text>` : ''}`;
  });
  const grid = axis.ticks.map((t) => {
    const tx = X0 + (t / axis.span) * (X1 - X0);
    return html`<line class="grid" x1="${f(tx)}" x2="${f(tx)}" y1="${TOP - 4}" y2="${height - 6}"></line>
      <text class="tick" x="${f(tx)}" y="${TOP - 9}" text-anchor="${tx > X1 - 20 ? 'end' : 'middle'}">${tickLabel(t, axis.span)}</text>`;
  });
  const faultEnd = rollbackAt ?? axis.from + axis.span;
  const faultNote = rollbackAt ? formatDuration(rollbackAt - injectAt) : '(no rollback recorded)';
  const fault = html`<rect class="fault" x="${f(x(injectAt))}" y="${TOP}" width="${f(Math.max(1, x(faultEnd) - x(injectAt)))}" height="${lanes.length * LANE_H}"></rect>
    <text class="fault-label" x="${f(x(injectAt) + 4)}" y="${height - 10}">fault active ${faultNote}</text>`;

  const bars = [...hopBars(r, events, conditions, fr, hatch), ...floorBars(r, fr, hatch)];
  const condMarks = conditions.map((c) => conditionMark(c, fr));
  const eventMarks = events.map((e) => eventMark(e, fr));
  return html`<svg class="timeline" viewBox="0 0 ${W} ${height}" role="img" aria-label="drill timeline">
    <defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" fill="var(--card)" opacity=".55"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="var(--ink)" stroke-width="2.2"></line></pattern></defs>
    ${bands}${fault}${grid}${bars}${condMarks}${eventMarks}${labels.render()}</svg>`;
}

const failed = (c: ConditionResult) => c.status === 'fail' || c.status === 'error';

function laneVerdict(cs: ConditionResult[]): { mark: string; cls: string } | undefined {
  if (cs.length === 0) return undefined;
  if (cs.some(failed)) return { mark: '✗', cls: 'bad' };
  if (cs.every((c) => c.status === 'skipped')) return { mark: '–', cls: 'muted' };
  return { mark: '✓', cls: 'good' };
}

function eventMark(e: TimelineEvent, fr: Frame): Html {
  const lane = laneOfEvent(e);
  const y = fr.laneY(lane)! + MID;
  const title = `${formatOffset(e.at - fr.start)} ${e.phase}: ${e.event}${e.detail ? `  ${formatDetail(e.detail, 300)}` : ''}`;
  fr.labels.add(fr.laneIndex.get(lane)!, fr.x(e.at), e.event, 'ev-label', 0);
  return html`<g class="ev l-${lane}"><title>${title}</title><circle cx="${f(fr.x(e.at))}" cy="${y}" r="5.5"></circle></g>`;
}

function hopBars(
  r: Result,
  events: TimelineEvent[],
  conditions: ConditionResult[],
  fr: Frame,
  hatch: string,
): Html[] {
  const m = r.metrics ?? {};
  return HOPS.flatMap((hop) => {
    const measured = m[`hop_ms_${hop}`];
    const expected = m[`pipeline_expected_ms_${hop}`];
    const max = m[`pipeline_max_ms_${hop}`];
    const y = fr.laneY(hop);
    if (measured === undefined || y === undefined) return [];
    // The bar ends where the hop was observed, whatever the drill measured it from.
    const endAt =
      conditions.find((c) => laneOfCondition(c) === hop && c.satisfiedAt !== undefined)?.satisfiedAt ??
      events.find((e) => laneOfEvent(e) === hop)?.at ??
      fr.anchor(hop) + measured;
    const startAt = endAt - measured;
    const x1 = fr.x(endAt);
    const x0 = fr.x(startAt);
    const expW = expected !== undefined ? Math.min(x1 - x0, fr.x(startAt + expected) - x0) : 0;
    const xMax = max !== undefined ? fr.x(startAt + max) : undefined;
    const note = [
      expected !== undefined ? `expected ${formatDuration(expected)}` : '',
      max !== undefined ? `max ${formatDuration(max)}` : '',
    ]
      .filter(Boolean)
      .map((t) => ` · ${t}`)
      .join('');
    const over = hopMeasures(r).find((h) => h.hop === hop)?.overBudgetMs !== undefined;
    fr.labels.add(
      fr.laneIndex.get(hop)!,
      x0,
      `${over ? '⚠ ' : ''}${formatDuration(measured)}${note}${over ? ': over budget' : ''}`,
      over ? 'hop-label over' : 'hop-label',
      1,
    );
    return [
      html`<g class="hop l-${hop}"><title>${hop}: measured ${formatDuration(measured)}${note}</title>
        <rect class="hop-bar" x="${f(x0)}" y="${y + MID - 5}" width="${f(Math.max(1, x1 - x0))}" height="10" rx="2"></rect>
        ${expW > 0 ? html`<rect class="hop-expected" x="${f(x0)}" y="${y + MID - 5}" width="${f(expW)}" height="10" rx="2" fill="url(#${hatch})"></rect>` : ''}
        ${xMax !== undefined ? html`<line class="hop-max" x1="${f(xMax)}" x2="${f(xMax)}" y1="${y + MID - 8}" y2="${y + MID + 8}" stroke="var(--ink)" stroke-width="1.5"></line>` : ''}</g>`,
    ];
  });
}

/**
 * Hops that never happened but have a known expectation. Drawn from the injection, it shows the
 * earliest moment this run's timing allowed the hop: past the condition's deadline means the
 * drill cannot pass as configured (say, a rule's `for:` longer than the drill's `within`).
 */
function unreachedFloors(r: Result): Array<{ hop: Lane; expected: number }> {
  const m = r.metrics ?? {};
  return HOPS.flatMap((hop) => {
    const expected = m[`pipeline_expected_ms_${hop}`];
    const missed = (r.conditions ?? []).some((c) => failed(c) && laneOfCondition(c) === hop);
    return m[`hop_ms_${hop}`] === undefined && expected !== undefined && expected > 0 && missed
      ? [{ hop, expected }]
      : [];
  });
}

function floorBars(r: Result, fr: Frame, hatch: string): Html[] {
  return unreachedFloors(r).map(({ hop, expected }) => {
    const y = fr.laneY(hop)!;
    const x0 = fr.x(fr.anchor(hop));
    const x1 = fr.x(fr.anchor(hop) + expected);
    fr.labels.add(
      fr.laneIndex.get(hop)!,
      x1,
      `pipeline expected ${formatDuration(expected)}: earliest possible`,
      'hop-label',
      1,
    );
    return html`<g class="hop l-${hop}"><title>${hop}: never observed; this run's pipeline timing allowed it ${formatDuration(expected)} after the injection at the earliest</title>
      <rect class="hop-expected" x="${f(x0)}" y="${y + MID + 5}" width="${f(Math.max(1, x1 - x0))}" height="5" rx="2" fill="url(#${hatch})"></rect></g>`;
  });
}

function conditionMark(c: ConditionResult, fr: Frame): Html {
  const lane = laneOfCondition(c);
  const y = fr.laneY(lane);
  if (y === undefined) return html``;
  const cy = y + MID;
  if (c.satisfiedAt !== undefined) {
    const cx = fr.x(c.satisfiedAt);
    return html`<g class="cond ok"><title>${c.condition.type} met at ${formatOffset(c.satisfiedAt - fr.start)}</title>
      <path d="M${f(cx)} ${cy - 10} l10 10 l-10 10 l-10 -10 z"></path></g>`;
  }
  if (!failed(c)) return html``;
  const from = c.deadline - c.withinMs;
  // A message that went to another channel was seen: say where and when, not "not seen".
  const elsewhere = arrivedElsewhere(c);
  if (elsewhere) {
    const x0 = fr.x(from);
    const x1 = Math.max(fr.x(elsewhere.at), x0 + 1);
    const text = `arrived in ${elsewhere.channel}, ${formatDuration(elsewhere.at - from)} after the fault`;
    fr.labels.add(fr.laneIndex.get(lane)!, x1, text, 'cond-label', 2);
    return html`<g class="cond bad elsewhere"><title>${c.condition.type}: ${c.message ?? text}</title>
    <line x1="${f(x0)}" x2="${f(x1)}" y1="${cy}" y2="${cy}"></line>
    <circle cx="${f(x1)}" cy="${cy}" r="6"></circle></g>`;
  }
  const until = c.deadline;
  const x0 = fr.x(from);
  const x1 = Math.max(fr.x(until), x0 + 1);
  const waited =
    until > from ? `not seen within ${formatDuration(until - from)}` : `${c.condition.type} ${c.status}`;
  fr.labels.add(fr.laneIndex.get(lane)!, x1, waited, 'cond-label', 2);
  return html`<g class="cond bad"><title>${c.condition.type}: ${c.message ?? waited}</title>
    <line x1="${f(x0)}" x2="${f(x1)}" y1="${cy}" y2="${cy}"></line>
    <text x="${f(x1)}" y="${cy + 5}" text-anchor="middle">✗</text></g>`;
}
