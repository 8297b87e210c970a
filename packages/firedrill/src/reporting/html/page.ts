import { createHash } from 'node:crypto';
import type { Artifact, Result } from '../../core/result.ts';
import { describeCondition, hopMeasures, isHopMetric, overBudgetText } from '../drill.ts';
import type { RunContext, RunSummary } from '../reporter.ts';
import {
  byInterest,
  cleanText,
  countResults,
  firstLine,
  formatDuration,
  STATUS_WORD,
  verdictLine,
  verdictOf,
} from '../summary.ts';
import { formatMetric } from '../units.ts';
import { type ArtifactView, artifactsSection } from './artifacts.ts';
import { conditionsTable, hopTable, rollbackLine } from './drill-tables.ts';
import { anchorId, type Html, html, raw } from './escape.ts';
import { attemptsTable, thresholdsTable } from './run-tables.ts';
import { SCRIPT, STYLES } from './styles.ts';
import { drillTimeline } from './timeline.ts';
import { VITAL_KEYS, vitals } from './vitals.ts';
import { httpPhases, waterfall } from './waterfall.ts';

export interface PageInput {
  summary: RunSummary;
  ctx?: RunContext | undefined;
  artifacts: ReadonlyMap<Artifact, ArtifactView>;
  /** Epoch ms the report was written; injectable so tests and snapshots are stable. */
  generatedAt?: number;
  /** Results beyond this many passes are collapsed, so failures stay near the top. @defaultValue 8 */
  expandPassesUpTo?: number;
}

// Hashing the one inline script lets the CSP forbid every other script: if an escaping bug ever
// let a result name through as markup, the browser would still refuse to run it.
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');
const CSP = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'`;

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** The whole report as one HTML string: no external resources, so it opens from a CI artifact offline. */
export function renderReportPage(input: PageInput): string {
  const { summary, ctx } = input;
  const results = byInterest(summary.results);
  const n = countResults(results);
  const verdict = verdictOf(n);
  const word = summary.exitCode === 0 ? (verdict === 'empty' ? 'NOTHING RAN' : 'PASSED') : 'FAILED';
  const startedAt =
    ctx?.startedAt ?? Math.min(...results.map((r) => r.start), input.generatedAt ?? Date.now());
  const runId = ctx?.runId ?? results[0]?.runId;
  const env = ctx?.environment ?? results.find((r) => r.environment)?.environment;
  const anchors = new Map(results.map((r, i) => [r, anchorId(r.id, i)]));
  const expandAll = n.passed <= (input.expandPassesUpTo ?? 8);

  const chip = (filter: string, label: string, count: number, cls: string) =>
    html`<button type="button" class="chip ${cls} ${count === 0 ? 'zero' : ''}" data-filter="${filter}"><b>${count}</b> ${label}</button>`;
  const header = html`<header class="verdict vd-${summary.exitCode === 0 ? 'passed' : 'failed'}">
    <div class="vd-top"><div class="vd-word">${word}</div><div class="vd-line">${verdictLine(n)}</div></div>
    <div class="vd-meta">${[runId && `run ${runId}`, env && `environment ${env}`, `started ${utc(startedAt)}`, `took ${formatDuration(summary.durationMs)}`].filter(Boolean).join('  ·  ')}</div>
    <nav class="chips">${chip('all', 'all', n.total, 'c-all')}${chip('pass', 'passed', n.passed, 'c-pass')}${chip('fail', 'failed', n.failed, 'c-fail')}${chip('error', 'errored', n.errored, 'c-error')}${chip('flaky', 'flaky', n.flaky, 'c-flaky')}${chip('skipped', 'skipped', n.skipped, 'c-skipped')}</nav>
  </header>`;

  const maxDur = Math.max(1, ...results.map((r) => r.durationMs));
  const overview = html`<table class="overview"><tbody>${results.map(
    (r) => html`<tr class="${rowClasses(r)}">
      <td class="st"><span class="pill st-${r.status}">${STATUS_WORD[r.status]}</span>${r.flaky ? html` <span class="pill flaky">flaky</span>` : ''}</td>
      <td class="kind">${r.kind}</td>
      <td class="name"><a href="#${anchors.get(r)}">${r.name}</a><div class="why">${reason(r)}</div></td>
      <td class="ov-bar"><div class="mini"><i class="st-${r.status}" style="width:${((r.durationMs / maxDur) * 100).toFixed(2)}%"></i></div></td>
      <td class="ov-dur">${formatDuration(r.durationMs)}</td>
    </tr>`,
  )}</tbody></table>`;

  const cards = results.map((r) =>
    card(r, anchors.get(r)!, input.artifacts, expandAll || r.status !== 'pass' || r.flaky === true),
  );
  const generated = input.generatedAt ?? Date.now();
  const title = `firedrill · ${word} · ${verdictLine(n)}`;
  return `<!doctype html>
${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${title}</title><style>${raw(STYLES)}</style></head>
<body data-filter="all">${header}<main>${results.length ? overview : html`<p class="empty">No results in this run.</p>`}${cards}</main>
<footer>firedrill report · generated ${utc(generated)}${runId ? ` · run ${runId}` : ''}</footer>
<script>${raw(SCRIPT)}</script></body></html>`}
`;
}

function rowClasses(r: Result): string {
  return `st-${r.status}${r.flaky ? ' is-flaky' : ''}`;
}

/** Why an item is red, in one line, for the overview. */
function reason(r: Result): string {
  if (r.status === 'pass') {
    if (r.flaky) {
      const first = r.attempts?.find((a) => a.status !== 'pass');
      const why = first?.error
        ? `; attempt ${first.attempt} ${STATUS_WORD[first.status]}: ${firstLine(first.error.message, 120)}`
        : '';
      return `passed on attempt ${r.attempt ?? 2}${why}`;
    }
    // A pass that took longer than the live config explains is worth a line before anyone opens it.
    return hopMeasures(r)
      .flatMap((h) => {
        const over = overBudgetText(h);
        return over ? [`${h.hop.replace(/_/g, ' ')} ${over}`] : [];
      })
      .join('; ');
  }
  if (r.diagnosis) return firstLine(r.diagnosis.message, 200);
  const step = r.steps.find((s) => s.status === 'fail' || s.status === 'error');
  const msg = r.error?.message ?? step?.error?.message;
  if (msg) return firstLine(msg, 140);
  const cond = r.conditions?.find((c) => c.status === 'fail' || c.status === 'error');
  return cond ? `not met: ${describeCondition(cond.condition)}` : '';
}

function card(r: Result, id: string, artifacts: ReadonlyMap<Artifact, ArtifactView>, open: boolean): Html {
  const meta = [
    r.environment,
    r.location && `@ ${r.location}`,
    r.attempt && r.attempt > 1 && `attempt ${r.attempt}`,
  ]
    .filter(Boolean)
    .join(' ');
  const failedStep = r.steps.find((s) => s.status === 'fail' || s.status === 'error');
  const error = r.error ?? failedStep?.error;
  const errorBox = error
    ? html`<div class="errbox"><div class="err-head">${error.type ? html`<span class="tag">${error.type}</span> ` : ''}${failedStep ? html`in step <b>${failedStep.name}</b>` : ''}</div><pre>${cleanText(error.message).split('\n').slice(0, 30).join('\n')}</pre>${
        error.stack
          ? html`<details><summary>stack</summary><pre>${cleanText(error.stack)}</pre></details>`
          : ''
      }</div>`
    : '';
  const isDrill = r.kind === 'drill';
  // The broken hop, in one sentence, above everything else on the card.
  const diagnosis = r.diagnosis
    ? html`<p class="diagnosis"><span class="tag">${r.diagnosis.phase === 'preflight' ? 'refused at preflight' : `${r.diagnosis.hop} hop`}</span> ${cleanText(r.diagnosis.message)}</p>`
    : '';
  const section = (title: string, body: Html) =>
    body.value ? html`<section><h3>${title}</h3>${body}</section>` : '';
  const drill = isDrill
    ? html`${section('Timeline', html`${drillTimeline(r, id)}${timelineLegend()}`)}${section('Hops', hopTable(r))}${section(
        'Conditions',
        conditionsTable(r),
      )}${section('Rollback', rollbackLine(r))}`
    : '';
  return html`<details class="card ${rowClasses(r)}" id="${id}" ${open ? raw('open') : ''}>
    <summary><span class="pill st-${r.status}">${STATUS_WORD[r.status]}</span>${r.flaky ? html`<span class="pill flaky">flaky</span>` : ''}
      <span class="kind">${r.kind}</span><h2>${r.name}</h2><span class="meta">${meta}</span><span class="dur">${formatDuration(r.durationMs)}</span></summary>
    <div class="card-body">${diagnosis}${errorBox}${drill}
      ${section('Attempts', attemptsTable(r))}
      ${r.kind === 'scenario' ? section('Thresholds', thresholdsTable(r)) : section('Steps', waterfall(r))}${section('HTTP timings', httpPhases(r))}${section('Web vitals', vitals(r))}
      ${section(r.artifacts.some((a) => a.kind === 'screenshot') ? 'Screenshots and artifacts' : 'Artifacts', artifactsSection(r, artifacts))}
      ${section('Metrics', otherMetrics(r))}</div>
  </details>`;
}

function otherMetrics(r: Result): Html {
  // Shown elsewhere on the card: vitals as gauges, hops in their table, browser start as a waterfall row.
  const entries = Object.entries(r.metrics ?? {}).filter(
    ([k]) => !VITAL_KEYS.has(k) && !isHopMetric(k) && k !== 'browser_start_ms',
  );
  if (entries.length === 0) return html``;
  return html`<div class="metrics">${entries.map(([k, v]) => html`<span class="metric"><span>${k}</span><b>${formatMetric(k, v)}</b></span>`)}</div>`;
}

function timelineLegend(): Html {
  return html`<div class="legend tl-legend"><span><i class="lg-fault"></i>fault active</span><span><i class="lg-ev"></i>event</span><span><i class="lg-bar"></i>measured hop delay</span><span><i class="lg-expected"></i>expected by the pipeline</span><span><i class="lg-ok"></i>condition met</span><span><i class="lg-bad"></i>condition waited, not met</span></div>`;
}
