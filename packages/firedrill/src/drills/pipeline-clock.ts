import { requestJson } from '../clients/http-types.ts';
import type { PromEnvelope, PrometheusClient, PromQueryData } from '../clients/prometheus.ts';
import { tryParseDuration } from '../core/duration.ts';
import type { Mark } from '../core/timeline.ts';
import type { PreflightInfo } from './preflight.ts';

/**
 * Where the two fixed grids of one alert's path stood when the fault went in: Prometheus scrapes
 * a target and evaluates a rule group on schedules of their own (each placed by a hash of its
 * name), so the gap between a fault and the scrape that first sees it, and between that scrape
 * and the evaluation that reads it, is set by the clock, not by anything firedrill does.
 */
export interface PipelineClock {
  /** A scrape of the rule's target: its start (the sample's timestamp), interval and duration. */
  scrape: { atMs: number; intervalMs: number; durationMs: number };
  /** An evaluation of the rule's group and the group's interval. */
  evaluation: { atMs: number; intervalMs: number };
  /**
   * The first evaluation slot after the fault's effect ended at which the rule's expression no
   * longer held, read back from Prometheus after the drill: Prometheus' own resolving moment.
   */
  ruleFalseAt?: number;
}

/** The first point of the grid `phase + k·interval` at or after `at`. */
export function nextOnGrid(phase: number, interval: number, at: number): number {
  if (!(interval > 0)) return at;
  return phase + Math.ceil((at - phase) / interval) * interval;
}

/** The last point of the grid `phase + k·interval` at or before `at`. */
export function lastOnGrid(phase: number, interval: number, at: number): number {
  if (!(interval > 0)) return at;
  return phase + Math.floor((at - phase) / interval) * interval;
}

const RANGE = /\[([0-9a-z]+)(?::[0-9a-z]*)?\]/g;
const OFFSET = /\boffset\s+([0-9a-z]+)/g;

/**
 * How long one bad sample keeps the expression true: its longest range selector or offset
 * (`increase(x[10s])`, `x unless x offset 10s`). Undefined for an expression on instant values.
 */
export function exprWindowMs(query: string): number | undefined {
  const spans = [...query.matchAll(RANGE), ...query.matchAll(OFFSET)]
    .map((m) => tryParseDuration(m[1]))
    .filter((ms): ms is number => ms !== undefined && ms > 0);
  return spans.length > 0 ? Math.max(...spans) : undefined;
}

/** The scrape job a rule reads, from its `job="…"` matcher. */
export function scrapeJobOf(expr: string): string | undefined {
  return /job="([^"]+)"/.exec(expr)?.[1];
}

/**
 * Samples both grids from the live Prometheus (`/api/v1/targets`' lastScrape, `/api/v1/rules`'
 * lastEvaluation). Undefined when either is unknown yet (a target never scraped, a group never evaluated).
 */
export async function samplePipelineClock(
  prometheus: PrometheusClient,
  job: string,
  group: string,
  fallbackScrapeMs: number,
  signal?: AbortSignal,
): Promise<PipelineClock | undefined> {
  const [targets, groups] = await Promise.all([prometheus.targets(signal), prometheus.ruleGroups(signal)]);
  const target = targets.find((t) => t.labels.job === job && validTime(t.lastScrape));
  const g = groups.find((x) => x.name === group && validTime(x.lastEvaluation));
  if (!target || !g) return undefined;
  return {
    scrape: {
      atMs: Date.parse(target.lastScrape),
      intervalMs: tryParseDuration(target.scrapeInterval) ?? fallbackScrapeMs,
      durationMs: target.lastScrapeDuration * 1000,
    },
    evaluation: { atMs: Date.parse(g.lastEvaluation!), intervalMs: g.interval * 1000 },
  };
}

// Prometheus reports a target not yet scraped as 0001-01-01T00:00:00Z.
function validTime(t: string | undefined): boolean {
  return t !== undefined && Date.parse(t) > 0;
}

/**
 * The clock of the path `alert` takes, sampled at injection, or undefined when there is no such
 * path (a routing-only drill, no Prometheus) or Prometheus did not answer: the hop figures then go
 * without an expectation rather than the drill failing over it. The scrape's duration is the
 * usual one, from before the fault: a fault that slows the scrape itself (a stalled event loop)
 * may or may not make the next evaluation miss that sample, and the expectation is the earlier.
 */
export async function sampleClockForAlert(
  prometheus: PrometheusClient | undefined,
  info: PreflightInfo | undefined,
  alert: string | undefined,
  signal?: AbortSignal,
): Promise<PipelineClock | undefined> {
  const rule = alert ? info?.rules.get(alert) : undefined;
  if (!prometheus || !rule?.job || !info?.promTiming) return undefined;
  const fallback = info.promTiming.jobScrapeIntervalMs[rule.job] ?? info.promTiming.scrapeIntervalMs;
  return samplePipelineClock(prometheus, rule.job, rule.group, fallback, signal).catch(() => undefined);
}

/**
 * The clock as the hop figures use it once the drill is over: the one sampled at injection (or,
 * when a Prometheus fresh from a start had nothing to show then, sampled now: its grids do not
 * move), plus when the rule stopped holding. When a rule over a window resolves depends on the
 * data (a threshold on an average drops below it before the window empties), so that moment is
 * read back rather than predicted: the rule's own expression at each evaluation slot from the end
 * of the fault's effect to the moment firedrill saw the alert resolved.
 */
export async function clockAfterDrill(
  pending: Promise<PipelineClock | undefined>,
  prometheus: PrometheusClient | undefined,
  info: PreflightInfo | undefined,
  alert: string | undefined,
  marks: Partial<Record<Mark, number>>,
): Promise<PipelineClock | undefined> {
  const clock = (await pending) ?? (await sampleClockForAlert(prometheus, info, alert));
  const rule = alert ? info?.rules.get(alert) : undefined;
  const from = marks.lastBadAnswered ?? marks.rollbackStarted ?? marks.rolledBack;
  if (!clock || !prometheus || !rule?.query || from === undefined || marks.resolved === undefined)
    return clock;
  const phase = marks.ruleActive ?? clock.evaluation.atMs;
  const ruleFalseAt = await firstFalseEvaluation(
    prometheus,
    rule.query,
    nextOnGrid(phase, clock.evaluation.intervalMs, from),
    marks.resolved,
    clock.evaluation.intervalMs,
  ).catch(() => undefined);
  return ruleFalseAt === undefined ? clock : { ...clock, ruleFalseAt };
}

/** The first slot of `start + k·step` up to `end` at which `expr` returns nothing (an alert rule's "false"). */
async function firstFalseEvaluation(
  prometheus: PrometheusClient,
  expr: string,
  start: number,
  end: number,
  stepMs: number,
): Promise<number | undefined> {
  if (!(stepMs > 0) || end < start) return undefined;
  const env = await requestJson<PromEnvelope<PromQueryData>>(prometheus.opts, '/api/v1/query_range', {
    query: { query: expr, start: String(start / 1000), end: String(end / 1000), step: String(stepMs / 1000) },
  });
  if (env.status !== 'success' || env.data.resultType !== 'matrix') return undefined;
  const held = new Set<number>();
  for (const series of env.data.result) for (const [t] of series.values) held.add(Math.round(t * 1000));
  for (let at = start; at <= end; at += stepMs) if (!held.has(Math.round(at))) return at;
  return undefined;
}
