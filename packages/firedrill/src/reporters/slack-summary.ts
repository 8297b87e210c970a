import type { Result } from '../core/result.ts';
import type { ReporterDefinition, SlackPoster } from '../reporting/definition.ts';
import { describeCondition } from '../reporting/drill.ts';
import type { Reporter, RunContext, RunSummary } from '../reporting/reporter.ts';
import { byInterest, countResults, firstLine, formatDuration, verdictLine } from '../reporting/summary.ts';

export type { SlackPoster };

/** The Block Kit subset this reporter sends. */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | {
      type: 'section';
      text?: { type: 'mrkdwn'; text: string };
      fields?: Array<{ type: 'mrkdwn'; text: string }>;
    }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  | { type: 'divider' };

export interface SlackSummaryOptions {
  poster: SlackPoster;
  channel: string;
  /** A URL (linked) or a path (shown) to the HTML report. */
  reportLink?: string;
  /** Stay quiet on green runs: a nightly channel that only hears about problems. @defaultValue false */
  onlyOnFailure?: boolean;
  /** Failed items listed one by one; the rest are counted. @defaultValue 10 */
  maxItems?: number;
}

// Slack treats &, < and > as control characters in mrkdwn; everything else is literal.
export function mrkdwnEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Block Kit rejects the whole message when one text is too long (header 150, section 3000).
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const ICON = {
  fail: ':x:',
  error: ':warning:',
  pass: ':white_check_mark:',
  skipped: ':fast_forward:',
} as const;

function whyFailed(r: Result): string {
  const step = r.steps.find((s) => s.status === 'fail' || s.status === 'error');
  const message = r.diagnosis?.message ?? r.error?.message ?? step?.error?.message;
  if (message) return firstLine(message, 300);
  const cond = r.conditions?.find((c) => c.status === 'fail' || c.status === 'error');
  if (cond) return `condition not met: ${describeCondition(cond.condition)}`;
  return r.status === 'fail' ? 'failed' : 'errored';
}

export function slackSummaryMessage(
  summary: RunSummary,
  ctx: RunContext | undefined,
  opts: Pick<SlackSummaryOptions, 'reportLink' | 'maxItems'> = {},
): { text: string; blocks: SlackBlock[] } {
  const n = countResults(summary.results);
  const ok = summary.exitCode === 0;
  const verdict = verdictLine(n);
  const runId = ctx?.runId ?? summary.results[0]?.runId;
  const env = ctx?.environment ?? summary.results.find((r) => r.environment)?.environment;
  const title = `${ok ? '✅' : '🔴'} firedrill${env ? ` ${env}` : ''}: ${verdict}`;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Passed*\n${n.passed}${n.flaky ? ` (${n.flaky} flaky)` : ''}` },
        { type: 'mrkdwn', text: `*Failed*\n${n.failed}` },
        { type: 'mrkdwn', text: `*Errored*\n${n.errored}` },
        { type: 'mrkdwn', text: `*Skipped*\n${n.skipped}` },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: mrkdwnEscape(
            [runId && `run ${runId}`, env, formatDuration(summary.durationMs)].filter(Boolean).join(' · '),
          ),
        },
      ],
    },
  ];
  const failed = byInterest(summary.results).filter((r) => r.status === 'fail' || r.status === 'error');
  const max = opts.maxItems ?? 10;
  if (failed.length > 0) blocks.push({ type: 'divider' });
  for (const r of failed.slice(0, max)) {
    // Backticks inside the error would end the code span early.
    const why = mrkdwnEscape(whyFailed(r)).replace(/`/g, "'");
    const text = `${ICON[r.status]} *${mrkdwnEscape(r.name)}* _${r.kind}_ · ${formatDuration(r.durationMs)}\n\`${why}\``;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });
  }
  if (failed.length > max) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${failed.length - max} more` }],
    });
  }
  if (opts.reportLink) {
    const link = /^https?:\/\//.test(opts.reportLink)
      ? `<${opts.reportLink}|Open the HTML report>`
      : `HTML report: \`${mrkdwnEscape(opts.reportLink)}\``;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: link }] });
  }
  const text = `firedrill${env ? ` ${env}` : ''}: ${verdict}${runId ? ` (run ${runId})` : ''}`;
  return { text, blocks };
}

/** Posts one summary per run; the live story of a game day belongs to the console, not the channel. */
export class SlackSummaryReporter implements Reporter {
  readonly #opts: SlackSummaryOptions;
  #ctx: RunContext | undefined;

  constructor(opts: SlackSummaryOptions) {
    this.#opts = opts;
  }

  onBegin(ctx: RunContext): void {
    this.#ctx = ctx;
  }

  async onEnd(summary: RunSummary): Promise<void> {
    if (this.#opts.onlyOnFailure && summary.exitCode === 0) return;
    const msg = slackSummaryMessage(summary, this.#ctx, this.#opts);
    await this.#opts.poster.postMessage({ channel: this.#opts.channel, ...msg });
  }
}

export const slackSummaryReporter: ReporterDefinition = {
  name: 'slack',
  description: 'a run summary posted to a Slack channel (slack=#channel)',
  arg: { name: 'channel' },
  create: (arg, opts) => {
    if (!opts.slack)
      throw new Error('needs a Slack client: set slack.token for the environment, or use the local stack');
    const channel = arg ?? opts.slack.channel;
    if (!channel) throw new Error('needs a channel: slack=#channel');
    const reportLink = opts.reportUrl ?? opts.htmlReportPath;
    return new SlackSummaryReporter({
      poster: opts.slack.poster,
      channel,
      ...(reportLink && { reportLink }),
    });
  },
};
