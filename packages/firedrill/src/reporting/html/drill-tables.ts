import type { Result } from '../../core/result.ts';
import {
  arrivedElsewhere,
  describeActual,
  describeCondition,
  hopMeasures,
  injectedAt,
  laneOfCondition,
  offsetFrom,
  overBudgetText,
} from '../drill.ts';
import { cleanText, firstLine, formatDuration, formatOffset } from '../summary.ts';
import { type Html, html } from './escape.ts';

/**
 * Measured hop delay beside what the pipeline explains. Expected is what this run's timing made
 * unavoidable (the wait for the next scrape and rule evaluation, `for`, group_wait); max is the
 * live config's worst case. What lies beyond the expectation is firedrill's and the network's
 * share, and the rule expression's own (a rate building up over its window), so it has a column.
 */
export function hopTable(r: Result): Html {
  const hops = hopMeasures(r);
  if (hops.length === 0) return html``;
  const scale = Math.max(...hops.map((h) => Math.max(h.measuredMs ?? 0, h.expectedMs ?? 0, h.maxMs ?? 0)), 1);
  const pct = (ms: number | undefined) => (((ms ?? 0) / scale) * 100).toFixed(2);
  const ms = (v: number | undefined) => (v !== undefined ? formatDuration(v) : '—');
  const rows = hops.map((h) => {
    // Only a main hop is what its lane's condition proves; the in-between ones have no verdict of their own.
    const cond =
      h.hop === h.lane ? (r.conditions ?? []).find((c) => laneOfCondition(c) === h.lane) : undefined;
    const over = overBudgetText(h);
    return html`<tr class="${over ? 'over' : ''}">
      <td><span class="hop-name l-${h.lane}">${h.hop.replace(/_/g, ' ')}</span>${over ? html`<div class="over-note">⚠ ${over}</div>` : ''}</td>
      <td class="num">${over ? html`<span class="over-mark" title="${over}">⚠</span> ` : ''}${ms(h.measuredMs)}</td>
      <td class="num muted">${ms(h.expectedMs)}</td>
      <td class="num muted">${ms(h.maxMs)}</td>
      <td class="num">${h.beyondMs !== undefined ? signed(h.beyondMs) : '—'}</td>
      <td class="hop-cmp"><div class="hc l-${h.lane}"><i class="hc-measured" style="width:${pct(h.measuredMs)}%"></i><i class="hc-expected" style="width:${pct(h.expectedMs)}%"></i>${
        h.maxMs !== undefined && h.overBudgetMs !== undefined
          ? html`<i class="hc-over" style="left:${pct(h.maxMs)}%;width:${pct(h.overBudgetMs)}%"></i>`
          : ''
      }${h.maxMs !== undefined ? html`<i class="hc-max" style="left:${pct(h.maxMs)}%"></i>` : ''}</div></td>
      <td>${cond ? html`<span class="pill st-${cond.status}">${cond.status}</span>` : ''}</td>
    </tr>`;
  });
  return html`<table class="grid-table hops"><thead><tr><th>hop</th><th class="num">measured</th><th class="num">expected</th><th class="num">max</th><th class="num">beyond expected</th><th>measured vs <span class="hatch-key"></span> expected, <span class="max-key"></span> max</th><th></th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

/** `+120ms`, `−300ms`: a share beyond the expectation, or how much sooner than it a hop happened. */
function signed(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${formatDuration(Math.abs(ms))}`;
}

/**
 * Each condition: what was expected, what was seen, and when it held. Fixed column widths and
 * wrapping text: a condition's evidence (a Slack message, a log entry's problems) is as long as
 * the system under test makes it, and must never push the table past its card.
 */
export function conditionsTable(r: Result): Html {
  const cs = r.conditions ?? [];
  if (cs.length === 0) return html``;
  const inj = injectedAt(r);
  const rollbackAt = r.rollback?.at;
  const rows = cs.map((c) => {
    const elsewhere = arrivedElsewhere(c);
    const seen = elsewhere
      ? html`<span class="bad">arrived in ${elsewhere.channel} at ${offsetFrom(inj, elsewhere.at)}</span>`
      : c.actual !== undefined
        ? describeActual(c.actual, inj)
        : '—';
    const met =
      c.satisfiedAt !== undefined
        ? html`<span title="${utc(c.satisfiedAt)}">${offsetFrom(inj, c.satisfiedAt)}</span>${
            c.phase === 'resolve' && rollbackAt !== undefined
              ? html`<div class="muted small">${formatDuration(c.satisfiedAt - rollbackAt)} after rollback</div>`
              : ''
          }`
        : '—';
    return html`<tr class="st-${c.status}">
      <td><span class="pill st-${c.status}">${c.status}</span></td>
      <td><span class="cond-what">${keepDurationsWhole(describeCondition(c.condition))}</span>${c.consequenceOf ? html` <span class="tag">consequence of ${c.consequenceOf}</span>` : ''}${c.message ? html`<div class="muted small">${cleanText(c.message)}</div>` : ''}</td>
      <td class="seen">${seen}</td>
      <td class="num when">${met}</td>
    </tr>`;
  });
  return html`<table class="grid-table conditions"><colgroup><col class="c-st"><col class="c-what"><col class="c-seen"><col class="c-when"></colgroup>
    <thead><tr><th></th><th>condition</th><th>seen</th><th class="num when">met, after injection</th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 23).replace('T', ' ')} UTC`;

export function rollbackLine(r: Result): Html {
  const rb = r.rollback;
  if (!rb)
    return html`<p class="rollback bad">No rollback recorded: check the target by hand, or run <code>firedrill rollback</code>.</p>`;
  const when = rb.at !== undefined ? ` at ${formatOffset(rb.at - r.start)}` : '';
  if (rb.status === 'pass') return html`<p class="rollback good">✓ Fault rolled back${when}.</p>`;
  if (rb.status === 'skipped')
    return html`<p class="rollback muted">Rollback skipped${when} (nothing was injected).</p>`;
  return html`<p class="rollback bad">✗ Rollback ${rb.status}${when}${rb.error ? `: ${firstLine(rb.error.message, 300)}` : ''}. Run <code>firedrill rollback</code>.</p>`;
}

/** "1m 00s" must not wrap between its minutes and seconds in a narrow table cell. */
function keepDurationsWhole(s: string): string {
  return s.replace(/(\d[hm]) (\d)/g, '$1\u00a0$2');
}
