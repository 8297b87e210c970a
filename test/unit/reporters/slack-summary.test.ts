import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import {
  type SlackBlock,
  SlackSummaryReporter,
  slackSummaryMessage,
} from '../../../packages/firedrill/src/reporters/slack-summary.ts';
import { fixtureResults, loginPassing, RUN_ID, runOf } from '../../fixtures/results/index.ts';
import { replay } from './helpers.ts';

type Posted = { channel: string; text: string; blocks?: unknown[] };
const poster = () => {
  const posted: Posted[] = [];
  return { posted, postMessage: async (m: Posted) => void posted.push(m) };
};
const texts = (blocks: SlackBlock[]) =>
  blocks.flatMap((b) =>
    b.type === 'header'
      ? [b.text.text]
      : b.type === 'section'
        ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)]
        : b.type === 'context'
          ? b.elements.map((e) => e.text)
          : ['---'],
  );

describe('slack summary', () => {
  it('posts verdict, counts, each failed item with its first error line, and the report path', async () => {
    const slack = poster();
    const reporter = new SlackSummaryReporter({
      poster: slack,
      channel: '#release',
      reportLink: 'reports/index.html',
    });
    await replay(reporter, runOf(fixtureResults()));
    expect(slack.posted).toHaveLength(1);
    const msg = slack.posted[0]!;
    expect(msg.channel).toBe('#release');
    expect(msg.text).toBe(`firedrill staging: 2 failed, 1 errored of 8 (run ${RUN_ID})`);
    expect(texts(msg.blocks as SlackBlock[])).toEqual([
      '🔴 firedrill staging: 2 failed, 1 errored of 8',
      '',
      '*Passed*\n4 (1 flaky)',
      '*Failed*\n2',
      '*Errored*\n1',
      '*Skipped*\n1',
      `run ${RUN_ID} · staging · 1m 53s`,
      '---',
      ":x: *admin login* _probe_ · 11.9s\n`Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' })`",
      ':x: *slow-responses* _drill_ · 1m 02s\n`The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.`',
      ':warning: *search* _probe_ · 1.32s\n`page.goto: Target page, context or browser has been closed`',
      'HTML report: `reports/index.html`',
    ]);
  });

  it('links a report URL and escapes Slack control characters in names and errors', () => {
    const r: Result = {
      ...loginPassing(),
      name: 'a <b> & c',
      status: 'fail',
      error: { message: 'x `y` <@here>' },
    };
    const { blocks } = slackSummaryMessage(runOf([r]).summary, undefined, {
      reportLink: 'https://ci.example.test/job/7/report.html',
    });
    const all = texts(blocks);
    expect(all).toContain(":x: *a &lt;b&gt; &amp; c* _probe_ · 2.31s\n`x 'y' &lt;@here&gt;`");
    expect(all.at(-1)).toBe('<https://ci.example.test/job/7/report.html|Open the HTML report>');
  });

  it('counts the failures beyond maxItems instead of listing them', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      ...loginPassing(),
      id: `p${i}`,
      name: `p${i}`,
      status: 'fail' as const,
    }));
    const all = texts(slackSummaryMessage(runOf(many).summary, undefined, { maxItems: 2 }).blocks);
    expect(all.filter((t) => t.startsWith(':x:'))).toHaveLength(2);
    expect(all).toContain('…and 3 more');
    expect(all).toContain(':x: *p0* _probe_ · 2.31s\n`failed`');
  });

  it('says all passed on a green run, and stays quiet with onlyOnFailure', async () => {
    const green = runOf([loginPassing()]);
    expect(slackSummaryMessage(green.summary, green.ctx).blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '✅ firedrill staging: all 1 passed', emoji: true },
    });
    const slack = poster();
    await replay(new SlackSummaryReporter({ poster: slack, channel: '#x', onlyOnFailure: true }), green);
    expect(slack.posted).toEqual([]);
  });

  it('lets a failing post reject onEnd, so the multiplexer can report it', async () => {
    const reporter = new SlackSummaryReporter({
      poster: { postMessage: () => Promise.reject(new Error('channel_not_found')) },
      channel: '#nope',
    });
    await expect(reporter.onEnd(runOf([loginPassing()]).summary)).rejects.toThrow('channel_not_found');
  });
});
