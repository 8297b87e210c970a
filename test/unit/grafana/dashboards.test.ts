import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DASHBOARDS } from '../../../config/dashboards/index.ts';
import { backendLogSchema } from '../../../packages/firedrill/src/log-schemas/builtin.ts';
import { DrillMetrics } from '../../../packages/firedrill/src/metrics/drill-metrics.ts';
import { ProbeMetrics } from '../../../packages/firedrill/src/metrics/probe-metrics.ts';
import { type Dashboard, prometheusQueries, withVariablesFilled } from '../../fixtures/dashboards.ts';
import { startApp, type TestApp } from '../demo-app/helpers.ts';
import { REPO_ROOT, run, tempDir } from '../monitoring-config/tools.ts';

const tmp = tempDir('dashboards');
afterAll(() => tmp.remove());

const files = DASHBOARDS.map((d) => d.file);
const load = (file: string): Dashboard =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'config/grafana/dashboards', file), 'utf8'));
const datasourceUids: string[] = parse(
  readFileSync(join(REPO_ROOT, 'config/grafana/provisioning/datasources/datasources.yml'), 'utf8'),
).datasources.map((d: { uid: string }) => d.uid);

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);
const KEYWORDS_SET = new Set(['and', 'or', 'unless']);

/**
 * Metric names a PromQL expression reads: identifiers left once strings, label matchers, ranges and
 * grouping clauses are gone, that are neither a function call nor a keyword.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = [...bare.matchAll(/(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map(
    (m) => m[1]!,
  );
  return [...new Set(names.filter((n) => !KEYWORDS.has(n) && !KEYWORDS_SET.has(n)))];
}

describe('metricNames', () => {
  it.each([
    [
      'sum by (route) (rate(http_requests_total{job="demo-app", route=~"$route"}[$__rate_interval]))',
      ['http_requests_total'],
    ],
    ['histogram_quantile(0.95, sum by (le) (rate(a_bucket{x="1"}[5m])))', ['a_bucket']],
    ['sum(a) / count(b) unless on (job) up offset 5m', ['a', 'b', 'up']],
    ['probe_success{location=~"$location"}', ['probe_success']],
  ])('%s → %j', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe('dashboards', () => {
  let app: TestApp;
  const known = new Set<string>(['up']);

  beforeAll(async () => {
    // The real demo app's /metrics, as Prometheus scrapes it, and firedrill's own registries.
    app = await startApp();
    const text = await (await app.request('/metrics')).text();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) addFamily(name!, type!);
    for (const registry of [new ProbeMetrics().registry, new DrillMetrics().registry]) {
      for (const m of await registry.getMetricsAsJSON()) addFamily(m.name, String(m.type));
    }
  });
  afterAll(() => app?.close());

  function addFamily(name: string, type: string) {
    known.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) known.add(name + s);
  }

  it('are generated for every dashboard, with unique uids under the firedrill tag', () => {
    const uids = files.map((f) => load(f).uid);
    expect(new Set(uids).size).toBe(files.length);
    for (const f of files) expect(load(f)).toMatchObject({ tags: ['firedrill'], editable: true });
  });

  it.each(files)('%s: every panel has an id, a place on the grid and a provisioned data source', (file) => {
    const d = load(file);
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(p.gridPos.w).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(datasourceUids, p.title).toContain(p.datasource?.uid);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource.uid).toBe(p.datasource?.uid);
    }
  });

  it.each(files)('%s reads only metrics that the demo app, the probes or the drills export', (file) => {
    const unknown = prometheusQueries(load(file)).flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((n) => !known.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('would name a metric nobody exports (a typo: http_request_total)', () => {
    expect(metricNames('sum(rate(http_request_total[1m]))').filter((n) => !known.has(n))).toEqual([
      'http_request_total',
    ]);
  });

  it('shows what the issue asks for: success, step durations, vitals by location, hops, RED, images, logins', () => {
    const exprs = files.flatMap((f) => prometheusQueries(load(f)).map((q) => q.expr)).join('\n');
    for (const name of [
      'probe_success',
      'firedrill_step_last_duration_seconds',
      'probe_http_duration_seconds',
      'probe_browser_web_vital_lcp_seconds',
      'probe_browser_web_vital_cls',
      'firedrill_drill_last_hop_seconds',
      'firedrill_drill_last_hop_expected_seconds',
      'firedrill_drill_last_result',
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'image_processing_duration_seconds_bucket',
      'login_attempts_total',
    ])
      expect(exprs).toContain(name);
    expect(exprs).toMatch(/avg by \(location\) \(probe_browser_web_vital_/);
  });

  it.each(files.filter((f) => /probes|drills/.test(f)))(
    '%s reads only last-run gauges: a pushed counter or histogram would restart with every run',
    (file) => {
      const accumulating = prometheusQueries(load(file)).filter(({ expr }) =>
        /\b(increase|rate)\(/.test(expr),
      );
      expect(accumulating).toEqual([]);
    },
  );

  it('every PromQL query parses (promtool check rules, variables filled in as Grafana would)', async () => {
    const queries = files.flatMap((f) => prometheusQueries(load(f)));
    const rules = queries.map((q, i) => ({
      record: `dashboard_query_${i}`,
      expr: withVariablesFilled(q.expr),
    }));
    for (const r of rules) expect(r.expr, r.expr).not.toContain('$');
    const file = tmp.write('dashboards.rules.yml', stringify({ groups: [{ name: 'dashboards', rules }] }));
    const result = await run('promtool', ['check', 'rules', file]);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('the logs panel filters on a field the backend log schema names', () => {
    const queries = files.flatMap((f) =>
      load(f).panels.flatMap((p) => (p.targets ?? []).filter((t) => t.datasource.uid === 'app-logs')),
    );
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      const fields = [...(q.query ?? '').matchAll(/(\w+):/g)].map((m) => m[1]!);
      for (const f of fields) expect(Object.keys(backendLogSchema.properties as object)).toContain(f);
    }
  });
});
