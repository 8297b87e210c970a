import type { Result } from '../../core/result.ts';
import { firstLine, formatDuration, formatOffset, STATUS_WORD } from '../summary.ts';
import { thresholdRows } from '../thresholds.ts';
import { type Html, html } from './escape.ts';

/** Every try of a retried run: a flaky pass shows why its earlier attempts failed. */
export function attemptsTable(r: Result): Html {
  const attempts = r.attempts ?? [];
  if (attempts.length < 2) return html``;
  const first = attempts[0]!.start;
  const rows = attempts.map(
    (a) => html`<tr class="st-${a.status}">
      <td>attempt ${a.attempt}</td>
      <td><span class="pill st-${a.status}">${STATUS_WORD[a.status]}</span></td>
      <td class="num">${formatDuration(a.durationMs)}</td>
      <td>${a.error ? html`${a.error.type ? html`<span class="tag">${a.error.type}</span> ` : ''}${firstLine(a.error.message, 400)}` : html`<span class="muted">—</span>`}${
        a.start > first
          ? html`<div class="muted small">started ${formatOffset(a.start - first)} after the first</div>`
          : ''
      }</td>
    </tr>`,
  );
  return html`<table class="grid-table attempts"><colgroup><col class="a-n"><col class="a-st"><col class="a-dur"><col></colgroup>
    <thead><tr><th>attempt</th><th></th><th class="num">took</th><th>why it ended</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** A load scenario's thresholds: each SLO's expression, the value k6 observed, and whether it held. */
export function thresholdsTable(r: Result): Html {
  const rows = thresholdRows(r);
  if (rows.length === 0) return html``;
  const body = rows.map(
    (t) => html`<tr class="st-${t.status}">
      <td><span class="pill st-${t.status}">${t.status}</span></td>
      <td>${t.metric ? html`<code>${t.metric}</code>` : ''}${t.error ? html`<div class="${t.status === 'fail' ? 'bad' : 'muted'} small">${firstLine(t.error.message, 300)}</div>` : ''}</td>
      <td>${t.expression ? html`<code>${t.expression}</code>` : '—'}</td>
      <td class="num">${t.observed !== undefined ? `${t.stat} ${t.observed}` : '—'}</td>
      <td class="num muted">${t.samples !== undefined ? `${t.samples} samples` : ''}</td>
    </tr>`,
  );
  return html`<table class="grid-table thresholds"><colgroup><col class="t-st"><col><col class="t-val"><col class="t-val"><col class="t-n"></colgroup>
    <thead><tr><th></th><th>metric</th><th>threshold</th><th class="num">observed</th><th class="num"></th></tr></thead><tbody>${body}</tbody></table>`;
}
