import { describe, expect, it } from 'vitest';
import {
  alertStatus,
  blockTexts,
  closestMatch,
  compareTs,
  describeMatcher,
  epochMsToTs,
  failedCriteria,
  type MessageCriteria,
  matchesMessage,
  messageText,
  type SlackMessage,
  tsToEpochMs,
} from '../../../packages/firedrill/src/clients/slack-message.ts';
import { fixture } from '../../fixtures/slack/fake-slack.ts';

const history = (name: string) => (fixture(name) as { messages: SlackMessage[] }).messages;
const [amFiring] = history('conversations-history-page2');
const [amResolved] = history('conversations-history-resolved');
const [human] = history('conversations-history-page1');
const amBody = fixture('alertmanager-0.25-webhook-body') as Omit<SlackMessage, 'ts' | 'type'>;
const grafanaBody = fixture('grafana-webhook-body') as Omit<SlackMessage, 'ts' | 'type'>;
// What history returns for those webhook bodies, give or take Slack's added fields.
const amReference: SlackMessage = { type: 'message', ts: '1732650000.000100', ...amBody };
const grafana: SlackMessage = { type: 'message', ts: '1732650000.000200', ...grafanaBody };

describe('matching', () => {
  it.each<[string, SlackMessage, MessageCriteria, string[]]>([
    ['alert name in attachments[0].title', amFiring!, { alertName: 'HighApiErrorRate' }, []],
    ['alert name is a whole word', amFiring!, { alertName: 'HighApiError' }, ['alertName']],
    ['a longer name is another alert', amFiring!, { alertName: 'HighApiErrorRateX' }, ['alertName']],
    ['reference Alertmanager capture', amReference, { alertName: 'MyFault', resolved: false }, []],
    ['firing is not resolved', amFiring!, { resolved: true }, ['resolved']],
    ['resolved notification', amResolved!, { alertName: 'HighApiErrorRate', resolved: true }, []],
    ['drill id among the labels', amFiring!, { drillId: 'drill-7f3a' }, []],
    ['drill id missing', amFiring!, { drillId: 'drill-0000' }, ['drillId']],
    ['text substring in plain text', human!, { text: 'smell your nose' }, []],
    ['text regex over fallback', amFiring!, { text: /receiver=slack$/m }, []],
    ['sticky /g regex still matches twice', amFiring!, { text: /HighApi/g }, []],
    ['alert name inside blocks (header)', grafana, { alertName: 'SlowResponses', resolved: false }, []],
    ['drill id inside a rich_text run', grafana, { drillId: 'drill_id=drill-slow-42' }, []],
    ['text across rich_text pieces', grafana, { text: 'p95 latency 2.4 s on api' }, []],
    ['attachment fields', grafana, { text: 'severity: warning' }, []],
    [
      'everything wrong at once',
      human!,
      { alertName: 'X', drillId: 'drill-x', resolved: true },
      ['alertName', 'drillId', 'resolved'],
    ],
  ])('%s', (_name, message, criteria, failed) => {
    expect(failedCriteria(message, criteria)).toEqual(failed);
    expect(matchesMessage(message, criteria)).toBe(failed.length === 0);
  });

  it('runs predicates as given', () => {
    expect(matchesMessage(amFiring!, (m) => m.username === 'Alertmanager')).toBe(true);
    expect(matchesMessage(human!, (m) => m.username === 'Alertmanager')).toBe(false);
  });

  it.each<[SlackMessage, 'firing' | 'resolved' | undefined]>([
    [amFiring!, 'firing'],
    [amResolved!, 'resolved'],
    [grafana, 'firing'],
    [human!, undefined],
    [{ type: 'message', ts: '1.0', text: 'all good now [RESOLVED] DiskAlmostFull' }, 'resolved'],
  ])('alertStatus #%#', (message, status) => {
    expect(alertStatus(message)).toBe(status);
  });

  it('describes matchers for error texts', () => {
    expect(describeMatcher({ alertName: 'A', resolved: true, text: /x/i })).toBe(
      'alertName="A", resolved=true, text=/x/i',
    );
    expect(describeMatcher(() => true)).toBe('a custom predicate');
    expect(describeMatcher({})).toBe('any message');
  });

  it('closestMatch prefers fewer failed criteria, then the newest', () => {
    const all = [human!, amFiring!, amResolved!];
    expect(closestMatch(all, { alertName: 'HighApiErrorRate', drillId: 'nope' })).toMatchObject({
      ts: amResolved!.ts,
      failed: ['drillId'],
    });
    expect(closestMatch(all, () => false)?.ts).toBe(amResolved!.ts);
    expect(closestMatch([], {})).toBeUndefined();
  });
});

describe('messageText', () => {
  it('flattens an Alertmanager message (title; fallback only when nothing else)', () => {
    expect(messageText(amReference)).toBe('[FIRING:1] MyFault test-0 (127.0.0.1:9101 fault page)');
    expect(messageText({ type: 'message', ts: '1.0', attachments: [{ fallback: 'only this' }] })).toBe(
      'only this',
    );
  });

  it('flattens text, blocks and attachments of a Grafana message', () => {
    expect(messageText(grafana)).toBe(
      [
        '[FIRING:1] SlowResponses api',
        '[FIRING:1] SlowResponses',
        'p95 latency 2.4 s on api (drill_id=drill-slow-42)',
        'Grafana v11.3.0',
        'Source',
        'severity: warning',
        'Grafana v11.3.0',
      ].join('\n'),
    );
  });

  it('does not repeat text that the blocks repeat', () => {
    const m: SlackMessage = {
      type: 'message',
      ts: '1.0',
      text: 'hello',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }],
    };
    expect(messageText(m)).toBe('hello');
    expect(blockTexts(m.blocks)).toEqual(['hello']);
  });
});

describe('timestamps', () => {
  it.each([
    [1732650000123, '1732650000.123000'],
    [0, '0.000000'],
  ])('epochMsToTs(%d) = %s', (ms, ts) => {
    expect(epochMsToTs(ms)).toBe(ts);
  });

  it.each([
    ['1732650000.000100', 1732650000000],
    ['1732650000.123999', 1732650000123],
    ['1732650000', 1732650000000],
  ])('tsToEpochMs(%s) = %d', (ts, ms) => {
    expect(tsToEpochMs(ts)).toBe(ms);
  });

  it('orders timestamps to the microsecond', () => {
    expect(compareTs('1732650000.000100', '1732650000.000099')).toBeGreaterThan(0);
    expect(compareTs('1732650000.0001', '1732650000.000100')).toBe(0);
    expect(compareTs('999.9', '1000.0')).toBeLessThan(0);
  });
});
