import type { Result, StepResult } from '../../core/result.ts';
import { firstLine, formatDuration, formatOffset } from '../summary.ts';
import { formatMeasure } from '../units.ts';
import { pct, type TimeAxis, tickLabel, timeAxis } from './axis.ts';
import { type Html, html, join } from './escape.ts';

/** Shared by every chart with gridlines: the CSS variable the track background repeats on. */
export function gridStyle(axis: TimeAxis): string {
  const step = (axis.ticks[1] ?? axis.span) / axis.span;
  return `--tick:${(step * 100).toFixed(4)}%`;
}

export function axisRow(axis: TimeAxis): Html {
  const labels = axis.ticks.map((t) => {
    const p = (t / axis.span) * 100;
    // The last label would overflow the track; anchor it from the right instead.
    const pos = p > 94 ? `right:${(100 - p).toFixed(3)}%` : `left:${p.toFixed(3)}%`;
    return html`<span style="${pos}">${tickLabel(t, axis.span)}</span>`;
  });
  return html`<div class="wf-row wf-axis"><div></div><div class="wf-ticks">${labels}</div><div></div></div>`;
}

/**
 * Steps as horizontal bars on one time axis from the result's start, like a browser's network
 * waterfall: gaps between bars are time spent outside any step, overlaps are concurrency.
 */
export function waterfall(r: Result): Html {
  if (r.steps.length === 0) return html``;
  const from = Math.min(r.start, ...r.steps.map((s) => s.start));
  const to = Math.max(r.start + r.durationMs, ...r.steps.map((s) => s.start + s.durationMs));
  const axis = timeAxis(from, to, 8);
  // The card's error box already shows the result's error; a step repeating it word for word is noise.
  const rows = r.steps.map((s) => stepRow(s, axis, r.start, s.error?.message !== r.error?.message));
  return html`<div class="wf" style="${gridStyle(axis)}">${axisRow(axis)}${browserStartRow(r, axis)}${rows}</div>`;
}

/**
 * A browser run spends its first moments outside any step: launching Chromium (on the first run)
 * and opening the run's context. Drawn as a setup row so that gap reads as what it is.
 */
function browserStartRow(r: Result, axis: TimeAxis): Html {
  const ms = r.metrics?.browser_start_ms;
  if (ms === undefined) return html``;
  const left = pct(axis, r.start);
  const width = Math.max(0.4, Math.min(100 - left, (ms / axis.span) * 100));
  const title = `browser start: launching the browser or opening this run's context, ${formatDuration(ms)}`;
  return html`<div class="wf-row setup">
    <div class="wf-name"><span class="dot"></span><span class="nm" title="${title}">browser start</span></div>
    <div class="wf-track"><div class="wf-bar" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%" title="${title}"></div></div>
    <div class="wf-dur">${formatDuration(ms)}</div>
  </div>`;
}

function stepRow(s: StepResult, axis: TimeAxis, start: number, showError: boolean): Html {
  const left = pct(axis, s.start);
  // A 3 ms step on a 20 s axis still needs to be visible as a tick.
  const width = Math.max(0.4, Math.min(100 - left, (s.durationMs / axis.span) * 100));
  const title = `${s.name}: ${s.status}, ${formatDuration(s.durationMs)}, starts ${formatOffset(s.start - start)}`;
  const err = s.error && showError ? html`<div class="wf-err">${firstLine(s.error.message, 180)}</div>` : '';
  return html`<div class="wf-row st-${s.status}">
    <div class="wf-name"><span class="dot"></span><span class="nm" title="${s.name}">${s.name}</span>${err}</div>
    <div class="wf-track"><div class="wf-bar" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%" title="${title}"></div></div>
    <div class="wf-dur">${formatDuration(s.durationMs)}</div>
  </div>`;
}

/** The phases a blackbox-style HTTP probe reports, in wire order. */
export const HTTP_PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
const PHASE_LABEL: Record<(typeof HTTP_PHASES)[number], string> = {
  resolve: 'DNS',
  connect: 'connect',
  tls: 'TLS',
  processing: 'server',
  transfer: 'transfer',
};

/**
 * One stacked bar per HTTP step, all on one scale, so "the server is slow" and "DNS is slow"
 * look different at a glance. Scaled to the slowest request rather than the probe's axis,
 * because a 40 ms request would be a sliver on a 10 s waterfall.
 */
export function httpPhases(r: Result): Html {
  const steps = r.steps.filter((s) => HTTP_PHASES.some((p) => (s.timings?.[p] ?? 0) > 0));
  if (steps.length === 0) return html``;
  const totals = steps.map((s) => HTTP_PHASES.reduce((t, p) => t + Math.max(0, s.timings?.[p] ?? 0), 0));
  const max = Math.max(...totals, 1);
  const rows = steps.map((s, i) => {
    const segs = HTTP_PHASES.filter((p) => (s.timings?.[p] ?? 0) > 0).map((p) => {
      const ms = s.timings![p]!;
      const w = (ms / max) * 100;
      const label = w > 7 ? html`<span>${formatDuration(ms)}</span>` : '';
      return html`<div class="ph ph-${p}" style="width:${w.toFixed(3)}%" title="${PHASE_LABEL[p]} ${formatDuration(ms)}">${label}</div>`;
    });
    const extra = Object.entries(s.timings ?? {}).filter(
      ([k]) => !(HTTP_PHASES as readonly string[]).includes(k),
    );
    const note = extra.length
      ? html`<div class="ph-note">${extra.map(([k, v]) => `${k} ${formatMeasure(k, v)}`).join(' · ')}</div>`
      : '';
    return html`<div class="ph-row"><div class="ph-name" title="${s.name}">${s.name}${note}</div><div class="ph-bar">${segs}</div><div class="wf-dur">${formatDuration(totals[i] ?? 0)}</div></div>`;
  });
  const legend = join(HTTP_PHASES.map((p) => html`<span><i class="ph-${p}"></i>${PHASE_LABEL[p]}</span>`));
  return html`<div class="phases">${rows}<div class="legend">${legend}</div></div>`;
}
