import type { Artifact, ErrorInfo, Result, Status, StepResult } from '../core/result.ts';
import { type K6ExitMeaning, k6ExitMeaning } from './k6-exit-codes.ts';
import {
  type K6Summary,
  type MetricSummary,
  observedValue,
  parseMetricKey,
  parseThresholdExpression,
} from './summary.ts';

/** Thresholds without a `flow` or `scenario` tag filter judge the whole run. */
export const RUN_GROUP = '';

/**
 * Which result a threshold belongs to: its `flow` tag (firedrill's scenarios tag every request
 * with one), else its `scenario` tag, else the whole run.
 */
export function groupOfMetricKey(key: string): string {
  const { tags } = parseMetricKey(key);
  return tags.flow ?? tags.scenario ?? RUN_GROUP;
}

export interface LoadResultContext {
  /** Scenario file name without extension: `smoke`, `login`. */
  scenario: string;
  profile?: string;
  runId: string;
  /** Epoch ms when k6 started. */
  start: number;
  durationMs: number;
  environment?: string;
  location?: string;
  /** Groups known before the run (from `k6 inspect`), in the order to report them. */
  plannedGroups?: readonly string[];
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
  /** k6's last error line, quoted when the exit code alone does not say enough. */
  lastError?: string;
  artifacts?: Artifact[];
}

export function resultIdFor(scenario: string, group: string): string {
  return group === RUN_GROUP || group === scenario ? scenario : `${scenario}/${group}`;
}

export function resultNameFor(scenario: string, group: string): string {
  return group === RUN_GROUP || group === scenario ? scenario : `${scenario} › ${group}`;
}

const fmt = (n: number | undefined): string =>
  n === undefined ? 'n/a' : Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 4 : 2);

function thresholdStep(metric: MetricSummary, expression: string, ok: boolean, at: number): StepResult {
  const parsed = parseThresholdExpression(expression);
  const observed = parsed ? observedValue(metric, parsed.stat) : undefined;
  const timings: Record<string, number> = {};
  if (parsed && observed !== undefined) timings[parsed.stat] = observed;
  if (metric.samples !== undefined) timings.samples = metric.samples;
  const name = `${metric.key} ${expression}`;
  // k6 lets a trend or rate threshold hold on zero samples; an SLO judged on nothing is not met.
  if (ok && metric.samples === 0 && (metric.type === 'trend' || metric.type === 'rate')) {
    return {
      name,
      status: 'fail',
      start: at,
      durationMs: 0,
      timings,
      error: {
        type: 'no-samples',
        message: `${metric.key}: no samples, so ${expression} was never really tested (did the flow send any request?)`,
      },
    };
  }
  const step: StepResult = { name, status: ok ? 'pass' : 'fail', start: at, durationMs: 0, timings };
  if (!ok) {
    const seen = parsed ? `${parsed.stat}=${fmt(observed)}` : 'the observed value';
    step.error = { type: 'threshold', message: `${metric.key}: ${seen} crosses the threshold ${expression}` };
  }
  return step;
}

/** Key numbers of one group, named `<metric>_<stat>`: `http_req_duration_p95`, `http_req_failed_rate`. */
function groupMetrics(metrics: readonly MetricSummary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    if (m.type === 'trend') {
      for (const stat of ['p(95)', 'p(99)', 'avg', 'max', 'count']) {
        const v = m.values[stat];
        if (v !== undefined) out[`${m.name}_${stat.replace(/[()]/g, '')}`] = v;
      }
    } else if (m.type === 'rate') {
      if (m.values.value !== undefined) out[`${m.name}_rate`] = m.values.value;
    } else if (m.type === 'counter') {
      if (m.values.count !== undefined) out[`${m.name}_count`] = m.values.count;
    } else if (m.values.value !== undefined) {
      out[m.name] = m.values.value;
    }
  }
  return out;
}

const RUN_METRICS = ['http_reqs', 'iterations', 'http_req_duration', 'http_req_failed', 'checks', 'vus_max'];

/**
 * Turns k6's end-of-test summary into firedrill results: one per flow (and one for run-level
 * thresholds), each threshold a step with its observed value. `summary` is undefined when k6
 * died before writing one; the results then carry the exit code as their error.
 */
export function loadResults(summary: K6Summary | undefined, ctx: LoadResultContext): Result[] {
  const exit = k6ExitMeaning(ctx.exitCode, ctx.signal);
  const end = ctx.start + ctx.durationMs;
  const groups = new Map<string, MetricSummary[]>();
  for (const g of ctx.plannedGroups ?? []) groups.set(g, []);
  for (const m of summary?.metrics.values() ?? []) {
    const g = groupOfMetricKey(m.key);
    // Untagged metrics without thresholds are the run's totals, added below; k6's own
    // `{expected_response:true}` sub-metric belongs to no flow.
    if (m.thresholds.length === 0 && (g === RUN_GROUP || !groups.has(g))) continue;
    groups.set(g, [...(groups.get(g) ?? []), m]);
  }
  if (groups.size === 0) groups.set(RUN_GROUP, []);
  // Planned groups keep their order; others (k6 writes them in Go map order) sort by name; the
  // run-level result always comes last.
  const planned = new Set(ctx.plannedGroups ?? []);
  const order = [...groups.keys()].sort((a, b) =>
    a === RUN_GROUP || b === RUN_GROUP
      ? Number(a === RUN_GROUP) - Number(b === RUN_GROUP)
      : planned.has(a) || planned.has(b)
        ? Number(!planned.has(a)) - Number(!planned.has(b))
        : a.localeCompare(b),
  );

  const results: Result[] = [];
  for (const group of order) {
    const metrics = groups.get(group) ?? [];
    // k6 writes metrics and thresholds in Go map order, which changes from run to run.
    const steps = metrics
      .flatMap((m) => m.thresholds.map((t) => thresholdStep(m, t.expression, t.ok, end)))
      .sort((a, b) => a.name.localeCompare(b.name));
    const numbers = groupMetrics(metrics);
    if (group === RUN_GROUP && summary) {
      Object.assign(
        numbers,
        groupMetrics(RUN_METRICS.flatMap((k) => (summary.metrics.get(k) ? [summary.metrics.get(k)!] : []))),
      );
    }
    results.push(buildResult(ctx, group, steps, numbers, exit, summary !== undefined));
  }
  reconcileExitCode(results, exit);
  return results;
}

function buildResult(
  ctx: LoadResultContext,
  group: string,
  steps: StepResult[],
  metrics: Record<string, number>,
  exit: K6ExitMeaning,
  haveSummary: boolean,
): Result {
  let status: Status;
  let error: ErrorInfo | undefined;
  if (exit.outcome === 'failed' || exit.outcome === 'setup' || !haveSummary) {
    status = 'error';
    error = exitError(ctx, exit, haveSummary);
  } else if (steps.some((s) => s.status === 'fail')) {
    status = 'fail';
    const failed = steps.filter((s) => s.status === 'fail');
    error = {
      type: failed.every((s) => s.error?.type === 'no-samples') ? 'no-samples' : 'threshold',
      message: failed.map((s) => s.error?.message ?? s.name).join('; '),
    };
  } else if (steps.length === 0) {
    status = 'skipped';
    steps.push({
      name: 'thresholds',
      status: 'skipped',
      start: ctx.start + ctx.durationMs,
      durationMs: 0,
      error: {
        type: 'no-thresholds',
        message: `no thresholds judge ${group || ctx.scenario}: nothing to pass or fail`,
      },
    });
  } else {
    status = 'pass';
  }
  const name = resultNameFor(ctx.scenario, group);
  return {
    id: resultIdFor(ctx.scenario, group),
    name,
    kind: 'scenario',
    status,
    runId: ctx.runId,
    start: ctx.start,
    durationMs: ctx.durationMs,
    ...(ctx.environment ? { environment: ctx.environment } : {}),
    ...(ctx.location ? { location: ctx.location } : {}),
    steps,
    ...(error ? { error } : {}),
    artifacts: ctx.artifacts ?? [],
    metrics,
    tags: ['load', ...(ctx.profile ? [`profile:${ctx.profile}`] : []), ...(group ? [`flow:${group}`] : [])],
  };
}

function exitError(ctx: LoadResultContext, exit: K6ExitMeaning, haveSummary: boolean): ErrorInfo {
  const code = ctx.exitCode === null ? exit.name : `k6 exit ${ctx.exitCode} (${exit.name})`;
  const why = haveSummary ? exit.description : `${exit.description}; k6 wrote no summary`;
  return { type: 'k6', message: `${code}: ${why}${ctx.lastError ? ` — ${ctx.lastError}` : ''}` };
}

/**
 * k6 and firedrill must agree: a 99 with every parsed threshold holding means the summary and
 * the exit code disagree, which is reported rather than papered over.
 */
function reconcileExitCode(results: Result[], exit: K6ExitMeaning): void {
  if (exit.outcome !== 'thresholds') return;
  if (results.some((r) => r.status === 'fail')) return;
  for (const r of results) {
    if (r.status !== 'pass' && r.status !== 'skipped') continue;
    r.status = 'fail';
    r.error = {
      type: 'threshold',
      message: 'k6 exited 99 (thresholds crossed) but its summary shows none crossed',
    };
  }
}
