import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DashboardBuilder,
  DashboardCursorSync,
  IntervalVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DataqueryBuilder as ElasticsearchQuery,
  LogsBuilder,
} from '@grafana/grafana-foundation-sdk/elasticsearch';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as PrometheusQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { ELASTICSEARCH_DATASOURCE, GRAFANA_FOLDER, PROMETHEUS_DATASOURCE } from '../grafana/provisioning.ts';

/**
 * Small helpers over the foundation SDK's builders, so each dashboard file reads as a list of
 * questions and the PromQL that answers them.
 */

export { DashboardBuilder, RowBuilder };

/** A dashboard as generated: its file name under config/grafana/dashboards/ and its JSON model. */
export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([GRAFANA_FOLDER.title])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s');
}

export interface Series {
  expr: string;
  legend: string;
}

export function series(expr: string, legend: string): Series {
  return { expr, legend };
}

function prometheusQuery(s: Series, refId: string): PrometheusQuery {
  return new PrometheusQuery()
    .datasource(PROMETHEUS_DATASOURCE)
    .expr(s.expr)
    .legendFormat(s.legend)
    .range()
    .refId(refId);
}

const refIds = (n: number) => String.fromCharCode(65 + n);

export interface PanelOptions {
  unit: string;
  description?: string;
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  stacked?: boolean;
}

export function timeseries(title: string, queries: Series[], opts: PanelOptions): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(title)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(opts.unit)
    .span(opts.width ?? 12)
    .height(opts.height ?? 8)
    .fillOpacity(opts.stacked ? 30 : 10)
    .lineWidth(1);
  if (opts.description) panel.description(opts.description);
  if (opts.min !== undefined) panel.min(opts.min);
  if (opts.max !== undefined) panel.max(opts.max);
  queries.forEach((q, i) => {
    panel.withTarget(prometheusQuery(q, refIds(i)));
  });
  return panel;
}

/** Colour steps of a stat: the colour applies from its value upwards; the first has no value. */
export type Steps = { value: number | null; color: string }[];
export const RED_BELOW = (limit: number): Steps => [
  { value: null, color: 'red' },
  { value: limit, color: 'green' },
];
export const RED_ABOVE = (limit: number): Steps => [
  { value: null, color: 'green' },
  { value: limit, color: 'red' },
];

/** A single number, coloured by `steps`. */
export function stat(title: string, query: Series, opts: PanelOptions & { steps?: Steps }): StatPanel {
  const panel = new StatPanel()
    .title(title)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(opts.unit)
    .span(opts.width ?? 6)
    .height(opts.height ?? 4)
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(opts.steps ?? [{ value: null, color: 'green' }]),
    )
    // The newest value, not the default mean over the range: "passing now" means now.
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(prometheusQuery(query, 'A'));
  if (opts.description) panel.description(opts.description);
  return panel;
}

/** Raw log lines from the app's Elasticsearch index, newest first. */
export function logs(title: string, luceneQuery: string, opts: { width?: number; height?: number } = {}) {
  return new LogsPanel()
    .title(title)
    .datasource(ELASTICSEARCH_DATASOURCE)
    .span(opts.width ?? 24)
    .height(opts.height ?? 10)
    .showTime(true)
    .wrapLogMessage(true)
    .withTarget(
      new ElasticsearchQuery()
        .datasource(ELASTICSEARCH_DATASOURCE)
        .query(luceneQuery)
        .metrics([new LogsBuilder().id('1')])
        .refId('A'),
    );
}

/** A dashboard variable filled from a label's values; "All" by default, several at once. */
export function labelVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS_DATASOURCE)
    .query({ query, refId: `${name}-variable` })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

/** A window length to pick from, for series too sparse for `$__rate_interval`. */
export function windowVariable(name: string, label: string, values: string[], selected: string) {
  return new IntervalVariableBuilder(name)
    .label(label)
    .values(values.join(','))
    .options(values.map((v) => ({ text: v, value: v, selected: v === selected })))
    .current({ text: selected, value: selected });
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}
