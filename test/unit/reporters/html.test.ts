import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { HtmlReporter, renderHtmlReport } from '../../../packages/firedrill/src/reporters/html.ts';
import { rateVital, VITALS } from '../../../packages/firedrill/src/reporting/html/vitals.ts';
import {
  apiErrorRateMisroutedFailing,
  dashboardColdStartPassing,
  type FixtureRun,
  fixtureRun,
  loginPassing,
  runOf,
  SCREENSHOT_PATH,
  thresholdsLoadBreach,
} from '../../fixtures/results/index.ts';
import { replay } from './helpers.ts';

/** Only the part of the page between two markers, so an assertion cannot pass on another card's text. */
function between(html: string, from: string, to: string): string {
  const start = html.indexOf(from);
  expect(start, `"${from}" in the page`).toBeGreaterThanOrEqual(0);
  const end = html.indexOf(to, start + from.length);
  return html.slice(start, end < 0 ? undefined : end);
}

const card = (html: string, name: string) => between(html, `<h2>${name}</h2>`, '<details class="card');

describe('html report', () => {
  let dir: string;
  let run: FixtureRun;
  let page: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-html-'));
    run = await fixtureRun(dir);
    page = await renderHtmlReport(run.summary, run.ctx, {
      path: join(dir, 'index.html'),
      outDir: dir,
      generatedAt: 0,
    });
  });

  it('opens with the verdict and the counts', () => {
    expect(page).toContain('<title>firedrill · FAILED · 2 failed, 1 errored of 8</title>');
    expect(between(page, '<header', '</header>')).toMatch(
      /<div class="vd-word">FAILED<\/div><div class="vd-line">2 failed, 1 errored of 8<\/div>/,
    );
    for (const [n, label] of [
      [8, 'all'],
      [4, 'passed'],
      [2, 'failed'],
      [1, 'errored'],
      [1, 'flaky'],
      [1, 'skipped'],
    ]) {
      expect(page).toContain(`<b>${n}</b> ${label}</button>`);
    }
  });

  it('lists failures first in the overview, each with its reason', () => {
    const names = [
      ...between(page, '<table class="overview">', '</table>').matchAll(
        /<a href="#r\d+-[^"]+">([^<]+)<\/a>/g,
      ),
    ].map((m) => m[1]);
    expect(names).toEqual([
      'admin login',
      'slow-responses',
      'search',
      'image processing',
      'login',
      'api items',
      'api-error-rate',
      'checkout under load',
    ]);
    expect(page).toContain(
      '<div class="why">The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.</div>',
    );
    expect(page).toContain(
      '<p class="diagnosis"><span class="tag">fire hop</span> The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.</p>',
    );
  });

  it('draws a step waterfall on one time axis, bars coloured by status, with durations', () => {
    const login = card(page, 'admin login');
    const rows = [
      ...login.matchAll(
        /<div class="wf-row st-(\w+)">[\s\S]*?title="([^"]+)">([^<]+)<\/span>[\s\S]*?style="left:([\d.]+)%;width:([\d.]+)%"[\s\S]*?<div class="wf-dur">([^<]+)<\/div>/g,
      ),
    ];
    expect(rows.map((m) => [m[1], m[3], m[6]])).toEqual([
      ['pass', 'open /login', '700ms'],
      ['pass', 'fill admin credentials', '210ms'],
      ['fail', 'submit and wait for /dashboard', '10s'],
      ['skipped', 'dashboard shows the admin menu', '0ms'],
    ]);
    // Same axis for every row: the failed step starts where the second ends, and is the widest bar.
    const [, second, third] = rows.map((m) => ({ left: Number(m[4]), width: Number(m[5]) }));
    expect(third!.left).toBeGreaterThan(second!.left + second!.width - 0.01);
    expect(third!.width).toBeGreaterThan(80);
  });

  it('inlines the failure screenshot as a data URI of the real file', async () => {
    const png = await readFile(join(dir, SCREENSHOT_PATH));
    expect(card(page, 'admin login')).toContain(`<img src="data:image/png;base64,${png.toString('base64')}"`);
    expect(page).toContain('<a href="./artifacts/admin-login/trace.zip">artifacts/admin-login/trace.zip</a>');
    expect(page).toContain('Playwright trace 47 KB');
  });

  it('links a screenshot over the size limit instead of inlining it, and says when a file is missing', async () => {
    const gone: Result = { ...loginPassing(), artifacts: [{ kind: 'screenshot', path: 'nope.png' }] };
    const small = await renderHtmlReport(runOf([...run.results, gone]).summary, run.ctx, {
      path: join(dir, 'sub/index.html'),
      outDir: dir,
      inlineLimitBytes: 100,
    });
    expect(small).not.toContain('data:image/png');
    expect(small).toContain(
      '<a href="../artifacts/admin-login/failure.png">artifacts/admin-login/failure.png</a>',
    );
    expect(small).toContain('(file not found)');
  });

  it('colours web vitals by Google’s thresholds', () => {
    const vitals = (name: string) =>
      [
        ...card(page, name).matchAll(
          /<div class="vital v-([\w-]+)"[\s\S]*?<b>(\w+)<\/b>[\s\S]*?<div class="v-value">([^<]+)<\/div>/g,
        ),
      ].map((m) => `${m[2]} ${m[3]} ${m[1]}`);
    expect(vitals('login')).toEqual([
      'LCP 1.84s good',
      'FCP 920ms good',
      'CLS 0.02 good',
      'INP 120ms good',
      'TTFB 310ms good',
    ]);
    expect(vitals('admin login')).toEqual([
      'LCP 4.62s poor',
      'FCP 2.15s needs-improvement',
      'CLS 0.31 poor',
      'TTFB 1.24s needs-improvement',
    ]);
  });

  it.each([
    ['LCP', 2500, 'good'],
    ['LCP', 2501, 'needs-improvement'],
    ['LCP', 4001, 'poor'],
    ['FCP', 1800, 'good'],
    ['FCP', 3001, 'poor'],
    ['CLS', 0.1, 'good'],
    ['CLS', 0.25, 'needs-improvement'],
    ['CLS', 0.26, 'poor'],
    ['INP', 200, 'good'],
    ['INP', 500, 'needs-improvement'],
    ['INP', 501, 'poor'],
    ['TTFB', 800, 'good'],
    ['TTFB', 1801, 'poor'],
  ])('%s %d is %s', (short, value, rating) => {
    expect(rateVital(VITALS.find((v) => v.short === short)!, value)).toBe(rating);
  });

  it('draws HTTP phase timings as stacked bars with a legend', () => {
    const api = card(page, 'api items');
    expect(api).toContain('<h3>HTTP timings</h3>');
    const health = between(api, '<div class="ph-name" title="GET /api/health">', '</div></div>');
    expect([...health.matchAll(/class="ph ph-(\w+)"/g)].map((m) => m[1])).toEqual([
      'resolve',
      'connect',
      'tls',
      'processing',
      'transfer',
    ]);
    expect(api).toContain('title="TLS 23ms"');
    expect(api).toContain('<i class="ph-processing"></i>server');
  });

  it('draws each drill as swimlanes: every hop, events, measured hop beside what the pipeline expected', () => {
    const drill = card(page, 'api-error-rate');
    const lanes = [...drill.matchAll(/<text class="lane-label l-(\w+)"/g)].map((m) => m[1]);
    expect(lanes).toEqual(['preflight', 'inject', 'fire', 'notify', 'log', 'rollback', 'resolve']);
    expect(drill).toContain(
      '<title>+14.95s observe: HighApiErrorRate firing (prometheus)  source=prometheus value=0.48</title>',
    );
    expect(drill).toContain('<title>fire: measured 14s · expected 11s · max 12s</title>');
    expect(drill).toMatch(
      /<td class="num"><span class="over-mark" title="14s, over its 12s budget">⚠<\/span> 14s<\/td>\s*<td class="num muted">11s<\/td>\s*<td class="num muted">12s<\/td>\s*<td class="num">\+3.00s<\/td>/,
    );
    expect(drill).toMatch(
      /<td class="num">6.35s<\/td>\s*<td class="num muted">6.00s<\/td>\s*<td class="num muted">12s<\/td>\s*<td class="num">\+350ms<\/td>/,
    );
    expect(drill).not.toContain('below minimum');
    expect(drill).toContain('fault active 20.1s');
    // The in-between hops the runner measures are listed in the table too, in the colour of their lane.
    expect(drill).toContain('<span class="hop-name l-notify">alertmanager</span>');
    expect(drill).toContain('<span class="hop-name l-resolve">resolve notify</span>');
    expect(card(page, 'api-error-rate')).toContain('<span>own_ms_notify</span><b>550ms</b>');
    expect(drill).toContain('✓ Fault rolled back at +21.00s.');
  });

  it('shows each condition as a phrase, what it saw in words, and when it held after the injection', () => {
    const rows = [
      ...card(page, 'api-error-rate').matchAll(
        /<tr class="st-(\w+)">[\s\S]*?<span class="cond-what">([^<]+)<\/span>[\s\S]*?<td class="seen">([\s\S]*?)<\/td>\s*<td class="num when">(?:<span title="([^"]+)">)?([^<]+)/g,
      ),
    ];
    expect(rows.map((m) => [m[1], m[2]!.replace(/\u00a0/g, ' '), m[3], m[5], m[4]])).toEqual([
      [
        'pass',
        'alertFires HighApiErrorRate · source prometheus · within 1m 00s',
        'source prometheus · state firing · active +8.85s · value 0.48 · labels {alertname=&quot;HighApiErrorRate&quot;, service=&quot;api&quot;, severity=&quot;critical&quot;}',
        '+14.00s',
        '2025-06-03 02:00:34.950 UTC',
      ],
      [
        'pass',
        'slackMessage #alerts-critical · contains HighApiErrorRate · within 1m 30s',
        'channel #alerts-critical · posted +14.65s · seen +14.84s · polls 74 · text &quot;[FIRING:1] HighApiErrorRate api (critical) — API error rate above 5% for 10s; r…&quot;',
        '+14.65s',
        '2025-06-03 02:00:35.600 UTC',
      ],
      [
        'pass',
        'logsArrive app-logs-* · schema backend · minEntries 1 · within 1m 00s',
        'entries 48 · indices app-logs-2025.06.03 · ingest delay (min 1.84s, median 2.31s, max 4.02s) · first seen +5.25s',
        '+5.25s',
        '2025-06-03 02:00:26.200 UTC',
      ],
      [
        'pass',
        'alertResolves HighApiErrorRate · source prometheus · within 2m 00s',
        'resolved',
        '+26.40s',
        '2025-06-03 02:00:47.350 UTC',
      ],
      [
        'pass',
        'slackResolved #alerts-critical · HighApiErrorRate · within 2m 00s',
        '[RESOLVED] HighApiErrorRate api',
        '+27.35s',
        '2025-06-03 02:00:48.300 UTC',
      ],
    ]);
    // Resolving counts from the rollback: said beside the offset from the injection.
    expect(card(page, 'api-error-rate')).toContain('<div class="muted small">6.35s after rollback</div>');
    // Never an epoch millisecond, never a condition's JSON.
    const table = between(card(page, 'api-error-rate'), '<table class="grid-table conditions">', '</table>');
    expect(table).not.toMatch(/\d{13}/);
    expect(table).not.toContain('{&quot;');
  });

  it('says a condition’s objects in words: label sets, field matches and requirements', async () => {
    const html = await renderHtmlReport(runOf([apiErrorRateMisroutedFailing()]).summary, run.ctx, {
      path: join(dir, 'misrouted.html'),
      outDir: dir,
    });
    const table = between(html, '<table class="grid-table conditions">', '</table>').replace(/\u00a0/g, ' ');
    expect(table).toContain(
      'alertFires HighApiErrorRate · labels {severity=&quot;critical&quot;, service=&quot;api&quot;} · source prometheus · within 1m 00s',
    );
    expect(table).toContain(
      'logsArrive app-logs-* · schema backend · match {event=&quot;http_request&quot;, status_code=500} · require user_id, request_id where route=/api/items · within 1m 00s',
    );
    expect(table).not.toMatch(/\d{13}/);
  });

  it('says where a misrouted message arrived and when, in the table and on the timeline, not "not seen"', async () => {
    const html = await renderHtmlReport(runOf([apiErrorRateMisroutedFailing()]).summary, run.ctx, {
      path: join(dir, 'misrouted.html'),
      outDir: dir,
    });
    expect(between(html, '<table class="grid-table conditions">', '</table>')).toContain(
      '<td class="seen"><span class="bad">arrived in #alerts-warning at +14.70s</span></td>',
    );
    const timeline = between(html, '<svg class="timeline"', '</svg>');
    expect(timeline).toContain('>arrived in #alerts-warning, 14.7s after the fault</text>');
    expect(timeline).not.toContain('not seen');
    expect(timeline).toContain('<g class="cond bad elsewhere">');
  });

  it('marks a hop measured above its configured max as over budget, though its condition passed', () => {
    const drill = card(page, 'api-error-rate');
    expect(drill).toContain('<div class="over-note">⚠ 14s, over its 12s budget</div>');
    expect(drill).toContain('<div class="over-note">⚠ 14.7s, over its 12s budget</div>');
    // Within budget: no mark.
    expect(drill).not.toContain('6.35s, over');
    expect(drill).toContain('>⚠ 14s · expected 11s · max 12s: over budget</text>');
    // Seen from the overview, before anyone opens the card.
    expect(between(page, '<table class="overview">', '</table>')).toContain(
      '<div class="why">fire 14s, over its 12s budget; notify 14.7s, over its 12s budget</div>',
    );
  });

  it('prints each number in its own unit: codes and counts bare, bytes, days and durations', () => {
    expect(card(page, 'api items')).toContain(
      '<span class="metric"><span>http_status</span><b>200</b></span><span class="metric"><span>cert_expiry_days</span><b>43 days</b></span><span class="metric"><span>http_content_length</span><b>18 KB</b></span>',
    );
    expect(card(page, 'image processing')).toContain('<span>image_processing_ms</span><b>3.31s</b>');
    expect(page).not.toMatch(/<span>[a-z_]*(status|count|rate)[a-z_]*<\/span><b>[\d.]+ms<\/b>/);
  });

  it('keeps why a flaky pass’s first attempt failed', () => {
    const flaky = card(page, 'image processing');
    expect(flaky).toContain('<h3>Attempts</h3>');
    expect(flaky).toMatch(
      /<td>attempt 1<\/td>\s*<td><span class="pill st-error">errored<\/span><\/td>\s*<td class="num">10s<\/td>\s*<td><span class="tag">timeout<\/span> probe timed out after 10000 ms in step &quot;wait for thumbnail&quot;/,
    );
    expect(between(page, '<table class="overview">', '</table>')).toContain(
      '<div class="why">passed on attempt 2; attempt 1 errored: probe timed out after 10000 ms in step &quot;wait for thumbnail&quot;</div>',
    );
  });

  it('draws a load scenario’s thresholds as rows with expression and observed value, not 0 ms steps', async () => {
    const html = await renderHtmlReport(runOf(thresholdsLoadBreach()).summary, run.ctx, {
      path: join(dir, 'load.html'),
      outDir: dir,
    });
    const slow = card(html, 'thresholds › slow');
    expect(slow).not.toContain('class="wf"');
    expect(slow).not.toContain('0ms');
    const rows = [
      ...slow.matchAll(
        /<tr class="st-(\w+)">\s*<td>[\s\S]*?<code>([^<]+)<\/code>[\s\S]*?<td><code>([^<]+)<\/code><\/td>\s*<td class="num">([^<]+)<\/td>\s*<td class="num muted">([^<]*)<\/td>/g,
      ),
    ].map((m) => m.slice(1).join(' | '));
    expect(rows).toEqual([
      'fail | checks{flow:slow} | rate&gt;0.99 | rate 0% | 10 samples',
      'pass | fixture_wait{flow:slow} | p(95)&lt;3000 | p(95) 62ms | 10 samples',
      'pass | http_req_duration{flow:slow} | max&lt;5000 | max 63ms | 10 samples',
      'fail | http_req_duration{flow:slow} | p(95)&lt;20 | p(95) 62ms | 10 samples',
      'fail | http_req_failed{flow:slow} | rate&lt;0.01 | rate 100% | 10 samples',
    ]);
    expect(slow).toContain('http_req_duration{flow:slow}: p(95)=62.20 crosses the threshold p(95)&lt;20');
    expect(card(html, 'thresholds')).toMatch(/count&gt;5<\/code><\/td>\s*<td class="num">count 30<\/td>/);
  });

  it('labels a browser’s start-up in the waterfall instead of leaving a gap', async () => {
    const html = await renderHtmlReport(runOf([dashboardColdStartPassing()]).summary, run.ctx, {
      path: join(dir, 'cold.html'),
      outDir: dir,
    });
    const wf = between(html, '<div class="wf"', '<h3>Web vitals</h3>');
    const rows = [
      ...wf.matchAll(
        /<div class="wf-row (setup|st-\w+)">[\s\S]*?<span class="nm"[^>]*>([^<]+)<[\s\S]*?style="left:([\d.]+)%;width:([\d.]+)%"[\s\S]*?<div class="wf-dur">([^<]+)</g,
      ),
    ];
    expect(rows.map((m) => [m[1], m[2], m[5]])).toEqual([
      ['setup', 'browser start', '1.15s'],
      ['st-pass', 'open /dashboard', '940ms'],
      ['st-pass', 'charts rendered', '780ms'],
    ]);
    // It fills the gap: from the run's start up to the first step.
    const [start, first] = rows;
    expect(Number(start![3])).toBe(0);
    expect(Number(start![4])).toBeCloseTo(Number(first![3]) - 0.35, 0);
    expect(html).not.toContain('<span>browser_start_ms</span>');
  });

  it('shows the failed drill’s alert that never fired: the waited deadline and the pipeline’s expectation past it', () => {
    const drill = card(page, 'slow-responses');
    expect(drill).toMatch(/<text class="lane-verdict bad"[^>]*>✗<\/text>/);
    expect(drill).toContain('>not seen within 1m 00s</text>');
    expect(drill).toContain('>pipeline expected 2m 01s: earliest possible</text>');
    expect(drill).toContain('the rule has for: 2m, longer than within: 1m, so it cannot fire in time');
  });

  it('is self-contained: no external scripts, styles, images, fonts or links', () => {
    expect(page).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(page).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/@import/i);
    expect(page).toContain('default-src &#39;none&#39;');
  });

  it('renders an empty run without failing', async () => {
    const empty = await renderHtmlReport({ results: [], exitCode: 0, durationMs: 0 }, undefined, {
      path: join(dir, 'empty.html'),
      outDir: dir,
    });
    expect(empty).toContain('<div class="vd-word">NOTHING RAN</div><div class="vd-line">no results</div>');
    expect(empty).toContain('No results in this run.');
  });

  it('writes the file through the reporter', async () => {
    const path = join(dir, 'reports/index.html');
    await replay(new HtmlReporter({ path, outDir: dir }), run);
    expect(await readFile(path, 'utf8')).toContain('<h2>slow-responses</h2>');
  });
});
