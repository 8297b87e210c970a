import { describe, expect, it } from 'vitest';
import { parseMatcher, routeTimings } from '../../../packages/firedrill/src/clients/alertmanager.ts';

const CONFIG = `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  routes:
    - receiver: firedrill
      continue: true
      group_wait: 0s
    - receiver: pager
      matchers: ['severity="critical"']
      group_interval: 1m
    - receiver: team-a
      match_re: { team: "a|b" }
      routes:
        - receiver: team-a-db
          match: { service: db }
          repeat_interval: 1h
`;

describe('routeTimings', () => {
  it.each([
    [
      { severity: 'critical' },
      [
        ['firedrill', 0, 300_000],
        ['pager', 10_000, 60_000],
      ],
    ],
    [
      { team: 'b' },
      [
        ['firedrill', 0, 300_000],
        ['team-a', 10_000, 300_000],
      ],
    ],
    [
      { team: 'a', service: 'db' },
      [
        ['firedrill', 0, 300_000],
        ['team-a-db', 10_000, 300_000],
      ],
    ],
    [{ team: 'c' }, [['firedrill', 0, 300_000]]],
  ])('%j lands on %j', (labels, want) => {
    const got = routeTimings(CONFIG, labels as Record<string, string>).map((t) => [
      t.receiver,
      t.groupWaitMs,
      t.groupIntervalMs,
    ]);
    expect(got).toEqual(want);
  });

  it('falls back to the root when no child matches, with Alertmanager defaults', () => {
    expect(routeTimings('route: { receiver: x }', {})).toEqual([
      {
        receiver: 'x',
        groupBy: [],
        groupWaitMs: 30_000,
        groupIntervalMs: 300_000,
        repeatIntervalMs: 14_400_000,
      },
    ]);
    expect(routeTimings('receivers: []', {})).toEqual([]);
  });
});

describe('parseMatcher', () => {
  it.each([
    ['severity="critical"', { severity: 'critical' }, true],
    ['severity="critical"', { severity: 'warning' }, false],
    ['severity!="critical"', {}, true],
    ['team=~"a|b"', { team: 'ab' }, false],
    ['team=~"a|b"', { team: 'b' }, true],
    ['team!~"a.*"', { team: 'abc' }, false],
    ['name=bare', { name: 'bare' }, true],
    ['{msg="say \\"hi\\""}', { msg: 'say "hi"' }, true],
  ])('%s against %j → %s', (text, labels, want) => {
    expect(parseMatcher(text)(labels as Record<string, string>)).toBe(want);
  });

  it('names an unreadable matcher', () => {
    expect(() => parseMatcher('=oops')).toThrow('unreadable Alertmanager matcher "=oops"');
  });
});
