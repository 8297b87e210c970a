import { hostname } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { XMLBuilder } from 'fast-xml-parser';
import type { Result, ResultKind } from '../core/result.ts';
import type { ReporterDefinition } from '../reporting/definition.ts';
import {
  arrivedElsewhere,
  describeActual,
  describeCondition,
  hopMeasures,
  injectedAt,
  offsetFrom,
  overBudgetText,
} from '../reporting/drill.ts';
import { artifactFile, writeReportFile } from '../reporting/files.ts';
import type { Reporter, RunContext, RunSummary } from '../reporting/reporter.ts';
import {
  cleanText,
  countResults,
  firstLine,
  formatDuration,
  formatOffset,
  KIND_ORDER,
} from '../reporting/summary.ts';
import { thresholdRows } from '../reporting/thresholds.ts';
import { formatMeasure } from '../reporting/units.ts';

export interface JunitReporterOptions {
  path: string;
  /** Directory that relative artifact paths are relative to (the report directory). */
  outDir: string;
  /**
   * Attachment paths are written relative to this directory, because GitLab resolves them
   * against the project directory and Jenkins against the workspace: both are the job's cwd.
   * @defaultValue process.cwd()
   */
  attachmentBase?: string;
}

type XmlNode = Record<string, unknown>;

// XML 1.0 forbids most C0 controls even as character references; browser errors carry some.
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlText(s: string): string {
  return cleanText(s).replace(INVALID_XML, '\uFFFD');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
// Ant's schema types `timestamp` as a dateTime without zone; UTC keeps it unambiguous.
const timestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/**
 * JUnit XML as Jenkins, GitLab and most CI test tabs read it: one `<testsuite>` per kind,
 * one `<testcase>` per probe, scenario or drill. Steps, timelines and attachments go to
 * `<system-out>`; `[[ATTACHMENT|path]]` lines are the convention both Jenkins' attachments
 * plugin and GitLab's test report use for screenshots.
 */
export function junitXml(
  results: readonly Result[],
  opts: { outDir: string; attachmentBase?: string; runId?: string },
) {
  const base = opts.attachmentBase ?? process.cwd();
  const attachmentPath = (r: Result, i: number) => {
    const abs = artifactFile(r.artifacts[i]!, opts.outDir);
    const rel = relative(base, abs);
    return rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split('\\').join('/');
  };
  const all = countResults(results);
  const kinds = KIND_ORDER.filter((k) => results.some((r) => r.kind === k));
  const host = hostname();
  const suites = kinds.map((kind) =>
    suite(
      kind,
      results.filter((r) => r.kind === kind),
      host,
      attachmentPath,
      opts.runId,
    ),
  );
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'firedrill',
      '@_tests': all.total,
      '@_failures': all.failed,
      '@_errors': all.errored,
      '@_time': seconds(results.reduce((t, r) => t + r.durationMs, 0)),
      testsuite: suites,
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return `${builder.build(doc)}`;
}

function suite(
  kind: ResultKind,
  results: Result[],
  host: string,
  attachmentPath: (r: Result, i: number) => string,
  runId: string | undefined,
): XmlNode {
  const n = countResults(results);
  const start = Math.min(...results.map((r) => r.start));
  const end = Math.max(...results.map((r) => r.start + r.durationMs));
  const env = results.find((r) => r.environment)?.environment;
  const id = runId ?? results[0]?.runId;
  const props = [
    ...(id ? [{ '@_name': 'runId', '@_value': id }] : []),
    ...(env ? [{ '@_name': 'environment', '@_value': env }] : []),
  ];
  return {
    '@_name': kind,
    '@_tests': n.total,
    '@_failures': n.failed,
    '@_errors': n.errored,
    '@_skipped': n.skipped,
    '@_time': seconds(end - start),
    '@_timestamp': timestamp(start),
    '@_hostname': host,
    ...(props.length > 0 && { properties: { property: props } }),
    testcase: results.map((r) => testcase(r, (i) => attachmentPath(r, i))),
  };
}

function testcase(r: Result, attachmentPath: (i: number) => string): XmlNode {
  const node: XmlNode = { '@_classname': r.kind, '@_name': xmlText(r.name), '@_time': seconds(r.durationMs) };
  const attachments = r.artifacts.map((_, i) => attachmentPath(i));
  // Earlier attempts of a retried run, as Surefire writes reruns: one element per failed try.
  const earlier = (r.attempts ?? []).filter((a) => a.attempt !== r.attempt && a.status !== 'pass');
  const reruns = (fallbackType: string) =>
    earlier.map((a) => ({
      '@_type': a.error?.type ?? fallbackType,
      '@_message': xmlText(firstLine(a.error?.message ?? `attempt ${a.attempt} ${a.status}`, 500)),
      '#text': xmlText(
        `attempt ${a.attempt}: ${a.status} in ${formatDuration(a.durationMs)}${a.error ? `\n${cleanText(a.error.message)}` : ''}`,
      ),
    }));
  if (r.status === 'fail' || r.status === 'error') {
    const failedStep = r.steps.find((s) => s.status === 'fail' || s.status === 'error');
    const error = r.error ?? failedStep?.error;
    // CI shows this attribute as the failure's title: the diagnosis names the broken hop, and
    // each failed condition's own words follow unless the diagnosis already says them.
    const lead = r.diagnosis?.message ?? error?.message;
    const own = failedConditionMessages(r).filter((m) => !lead?.includes(m));
    const message =
      [lead, ...own].filter((m): m is string => !!m).join(' — ') ||
      `${r.kind} ${r.status === 'fail' ? 'failed' : 'errored'}`;
    node[r.status === 'fail' ? 'failure' : 'error'] = {
      '@_message': xmlText(firstLine(message, 1000)),
      '@_type': error?.type ?? (r.status === 'fail' ? 'failure' : 'error'),
      '#text': xmlText(failureBody(r, lead, error, attachments)),
    };
    const kind = r.status === 'fail' ? 'rerunFailure' : 'rerunError';
    if (earlier.length > 0) node[kind] = reruns(r.status);
  } else if (r.status === 'skipped') {
    node.skipped = { '@_message': xmlText(firstLine(r.error?.message ?? 'skipped', 500)) };
  } else if (r.flaky) {
    // Surefire's element for "failed, then passed on a rerun"; readers that do not know it ignore it.
    node.flakyFailure =
      earlier.length > 0
        ? reruns('flaky')
        : {
            '@_type': r.error?.type ?? 'flaky',
            '@_message': xmlText(firstLine(r.error?.message ?? `passed on attempt ${r.attempt ?? 2}`, 500)),
          };
  }
  node['system-out'] = xmlText(systemOut(r, attachments));
  return node;
}

/** `slackMessage #alerts-critical …: message … arrived in the wrong channel: …`, per failed condition that is no consequence. */
function failedConditionMessages(r: Result): string[] {
  return (r.conditions ?? [])
    .filter((c) => (c.status === 'fail' || c.status === 'error') && !c.consequenceOf)
    .map((c) => (c.message ? cleanText(c.message) : `condition not met: ${describeCondition(c.condition)}`));
}

function failureBody(
  r: Result,
  lead: string | undefined,
  error: Result['error'],
  attachments: string[],
): string {
  const out: string[] = lead ? [cleanText(lead)] : [];
  const stack = error?.stack;
  if (stack && lead && !stack.includes(lead)) out.push('', cleanText(stack));
  else if (stack) out.push('', cleanText(stack).split('\n').slice(1).join('\n'));
  // A scenario's steps are its thresholds, which its message already lists.
  for (const s of r.kind === 'scenario'
    ? []
    : r.steps.filter((s) => s.status === 'fail' || s.status === 'error')) {
    out.push('', `failed step: ${s.name}${s.error ? ` — ${firstLine(s.error.message, 300)}` : ''}`);
  }
  if (r.error && r.error.message !== lead) out.push('', cleanText(r.error.message));
  const unmet = (r.conditions ?? []).filter((c) => c.status !== 'pass');
  if (unmet.length > 0) out.push('', 'conditions not met:');
  const inj = injectedAt(r);
  for (const c of unmet) {
    const consequence = c.consequenceOf ? ` (consequence of ${c.consequenceOf})` : '';
    const elsewhere = arrivedElsewhere(c);
    const saw = elsewhere
      ? ` — arrived in ${elsewhere.channel} at ${offsetFrom(inj, elsewhere.at)} after injection`
      : c.actual !== undefined
        ? ` — saw ${describeActual(c.actual, inj)}`
        : '';
    out.push(`condition ${c.status}: ${describeCondition(c.condition)}${consequence}${saw}`);
    if (c.message) out.push(`  ${cleanText(c.message)}`);
  }
  if (r.rollback && r.rollback.status !== 'pass') {
    out.push(
      `rollback ${r.rollback.status}${r.rollback.error ? `: ${firstLine(r.rollback.error.message)}` : ''}`,
    );
  }
  if (attachments.length > 0)
    out.push('', 'artifacts:', ...attachments.map((a, i) => `  ${r.artifacts[i]!.kind}: ${a}`));
  return out.join('\n').trim();
}

function systemOut(r: Result, attachments: string[]): string {
  const out: string[] = [
    `${r.kind} ${r.name}: ${r.status}${r.flaky ? ' (flaky)' : ''} in ${formatDuration(r.durationMs)}`,
  ];
  if (r.environment || r.location)
    out.push(`environment ${r.environment ?? '-'} location ${r.location ?? '-'}`);
  const attempts = r.attempts ?? [];
  if (attempts.length > 1) out.push('', 'attempts:');
  for (const a of attempts.length > 1 ? attempts : []) {
    const err = a.error
      ? `  ${a.error.type ? `${a.error.type}: ` : ''}${firstLine(a.error.message, 300)}`
      : '';
    out.push(
      `  attempt ${a.attempt}  ${a.status.padEnd(7)} ${formatDuration(a.durationMs).padStart(7)}${err}`,
    );
  }
  const thresholds = thresholdRows(r);
  if (thresholds.length > 0) out.push('', 'thresholds:');
  for (const t of thresholds) {
    const seen = t.observed !== undefined ? ` — observed ${t.stat} ${t.observed}` : '';
    const n = t.samples !== undefined ? ` (${t.samples} samples)` : '';
    const err = t.error ? `  ${firstLine(t.error.message, 300)}` : '';
    out.push(
      `  ${t.status.padEnd(7)} ${[t.metric, t.expression].filter(Boolean).join(' ')}${seen}${n}${err}`,
    );
  }
  if (r.steps.length > 0 && thresholds.length === 0) out.push('', 'steps:');
  for (const s of thresholds.length > 0 ? [] : r.steps) {
    const err = s.error ? `  ${firstLine(s.error.message, 300)}` : '';
    out.push(`  ${s.status.padEnd(7)} ${formatDuration(s.durationMs).padStart(7)}  ${s.name}${err}`);
    if (s.timings && Object.keys(s.timings).length > 0) {
      out.push(
        `                    ${Object.entries(s.timings)
          .map(([k, v]) => `${k} ${formatMeasure(k, v)}`)
          .join(', ')}`,
      );
    }
  }
  if (r.timeline && r.timeline.length > 0) out.push('', 'timeline:');
  for (const e of r.timeline ?? [])
    out.push(`  ${formatOffset(e.at - r.start).padStart(8)}  ${e.phase.padEnd(9)} ${e.event}`);
  if (r.conditions && r.conditions.length > 0) out.push('', 'conditions (times after injection):');
  const inj = injectedAt(r);
  for (const c of r.conditions ?? []) {
    const when = c.satisfiedAt !== undefined ? ` at ${offsetFrom(inj, c.satisfiedAt)}` : '';
    const elsewhere = arrivedElsewhere(c);
    const saw = elsewhere
      ? ` — arrived in ${elsewhere.channel} at ${offsetFrom(inj, elsewhere.at)}`
      : c.actual !== undefined
        ? ` — saw ${describeActual(c.actual, inj)}`
        : '';
    out.push(`  ${c.status.padEnd(7)} ${describeCondition(c.condition)}${saw}${when}`);
  }
  const hops = hopMeasures(r);
  if (hops.length > 0) out.push('', 'hops (measured / expected / max):');
  for (const h of hops) {
    const fmt = (v?: number) => (v === undefined ? '-' : formatDuration(v));
    const over = overBudgetText(h);
    out.push(
      `  ${h.hop.padEnd(16)} ${fmt(h.measuredMs).padStart(7)} / ${fmt(h.expectedMs)} / ${fmt(h.maxMs)}${over ? `  ⚠ ${over}` : ''}`,
    );
  }
  if (r.rollback) out.push('', `rollback: ${r.rollback.status}`);
  // The marker must stand alone on its line for Jenkins' and GitLab's parsers.
  if (attachments.length > 0) out.push('', ...attachments.map((a) => `[[ATTACHMENT|${a}]]`));
  return out.join('\n');
}

export class JunitReporter implements Reporter {
  readonly #opts: JunitReporterOptions;
  #ctx: RunContext | undefined;

  constructor(opts: JunitReporterOptions) {
    this.#opts = opts;
  }

  onBegin(ctx: RunContext): void {
    this.#ctx = ctx;
  }

  onEnd(summary: RunSummary): Promise<void> {
    const xml = junitXml(summary.results, {
      outDir: this.#opts.outDir,
      ...(this.#opts.attachmentBase && { attachmentBase: this.#opts.attachmentBase }),
      ...(this.#ctx && { runId: this.#ctx.runId }),
    });
    return writeReportFile(this.#opts.path, xml);
  }
}

export const junitReporter: ReporterDefinition = {
  name: 'junit',
  description: 'JUnit XML for CI test tabs (Jenkins, GitLab, GitHub)',
  arg: { name: 'path', default: 'junit.xml' },
  create: (arg, opts) =>
    new JunitReporter({ path: arg!, outDir: opts.outDir, ...(opts.cwd && { attachmentBase: opts.cwd }) }),
};
