import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { durationSeconds } from '../../../config/alerting/promql.ts';
import { DEFAULT_RULE_TESTS } from '../../../config/alerting/rule-tests.default.ts';
import { FAST_RULE_TESTS } from '../../../config/alerting/rule-tests.fast.ts';
import {
  type AlertRuleDefinition,
  listAlertRules,
  RULE_DEFINITIONS,
  renderPrometheusRules,
  validateRuleDefinitions,
} from '../../../config/alerting/rules.ts';
import { renderRuleTests } from '../../../config/build/promtool-tests.ts';
import { REPO_ROOT, run, tempDir } from './tools.ts';

const tmp = tempDir('prometheus-rules');
afterAll(() => tmp.remove());

describe.each(['fast', 'default'] as const)('profile %s', (profile) => {
  it('passes promtool check rules (committed file)', async () => {
    const result = await run('promtool', [
      'check',
      'rules',
      join(REPO_ROOT, `config/prometheus/rules.${profile}.yml`),
    ]);
    expect(result.stdout, result.stderr).toContain(`SUCCESS: ${RULE_DEFINITIONS.length} rules found`);
    expect(result.code).toBe(0);
  });

  it('passes its promtool unit tests', async () => {
    const result = await run(
      'promtool',
      ['test', 'rules', `rules.${profile}.test.yml`],
      join(REPO_ROOT, 'config/prometheus/tests'),
    );
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('has, for every rule, a case where it fires and one where it stays quiet', () => {
    const suite = profile === 'fast' ? FAST_RULE_TESTS : DEFAULT_RULE_TESTS;
    for (const rule of listAlertRules(profile)) {
      const cases = suite.cases.filter((c) => c.alert === rule.name);
      const expectations = cases.flatMap((c) => Object.values(c.expect));
      expect(
        expectations.some((alerts) => alerts.length > 0),
        `${rule.name} never fires`,
      ).toBe(true);
      expect(
        cases.some((c) => Object.values(c.expect).every((alerts) => alerts.length === 0)),
        `${rule.name} has no quiet case`,
      ).toBe(true);
    }
  });
});

describe('listAlertRules', () => {
  it.each([
    ['AppDown', 'critical', undefined, '0s', '2m'],
    ['HighApiErrorRate', 'critical', '10s', '0s', '2m'],
    ['SlowApiResponses', 'warning', '10s', '0s', '5m'],
    ['FailedLoginSpike', 'warning', '10s', '0s', '2m'],
    ['SuspiciousRequests', 'warning', '10s', '0s', '2m'],
    ['SlowImageProcessing', 'warning', '10s', '0s', '5m'],
    ['SlowDatabaseQueries', 'warning', '10s', '0s', '5m'],
    ['HighMemoryUsage', 'warning', undefined, '0s', '10m'],
    ['HighCpuUsage', 'warning', '5s', '0s', '10m'],
    ['EventLoopLag', 'warning', undefined, '0s', '5m'],
  ])(
    '%s: %s, fast window %s, for %s (default: for %s)',
    (name, severity, fastWindow, fastFor, defaultFor) => {
      const fast = listAlertRules('fast').find((r) => r.name === name);
      const slow = listAlertRules('default').find((r) => r.name === name);
      expect(fast).toMatchObject({ severity, window: fastWindow, for: fastFor, labels: { severity } });
      expect(slow?.for).toBe(defaultFor);
      expect(slow!.forSeconds).toBeGreaterThanOrEqual(120);
      expect(fast?.annotations.runbook_url).toMatch(/runbooks\.md#[a-z]+$/);
    },
  );

  it('lists every definition, fast windows short enough for two 1s scrapes to fill', () => {
    expect(listAlertRules('fast').map((r) => r.name)).toEqual(RULE_DEFINITIONS.map((d) => d.name));
    for (const rule of listAlertRules('fast')) {
      if (rule.windowSeconds !== undefined) expect(rule.windowSeconds).toBeGreaterThanOrEqual(5);
      if (rule.windowSeconds !== undefined) expect(rule.windowSeconds).toBeLessThanOrEqual(10);
    }
  });

  it('rejects an unknown profile', () => {
    expect(() => listAlertRules('slow' as 'fast')).toThrow(
      'unknown profile "slow" (expected one of: fast, default)',
    );
    expect(() => renderPrometheusRules('slow' as 'fast')).toThrow(
      'unknown profile "slow" (expected one of: fast, default)',
    );
  });
});

describe('validateRuleDefinitions', () => {
  it('names the rule and the property of each problem', () => {
    const base = RULE_DEFINITIONS[1]!;
    const broken: AlertRuleDefinition[] = [
      base,
      { ...base },
      {
        ...base,
        name: 'high_error_rate',
        profiles: { fast: { window: '0s', for: '0s' }, default: { for: '2 min' } },
      },
    ];
    expect(validateRuleDefinitions(broken)).toEqual([
      'HighApiErrorRate: duplicate alert name',
      'high_error_rate: name must be PascalCase like HighApiErrorRate',
      'high_error_rate: profiles.fast.window: must be longer than 0s',
      'high_error_rate: profiles.default.for: invalid duration "2 min" (expected e.g. 0s, 10s, 5m, 1h30m)',
    ]);
    expect(validateRuleDefinitions(RULE_DEFINITIONS)).toEqual([]);
  });

  it.each([
    ['10s', 10],
    ['3m45s', 225],
    ['1h30m', 5400],
    ['500ms', 0.5],
  ])('durationSeconds(%s) = %d', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });
});

describe('renderRuleTests', () => {
  it.each([
    [
      { alert: 'NoSuchAlert', name: 'x', series: {}, expect: { '1s': [] } },
      'rule test "x": no alert rule named "NoSuchAlert"',
    ],
    [
      { alert: 'AppDown', name: 'y', series: {}, expect: {} },
      'rule test "y": expect names no evaluation time',
    ],
  ])('pins its errors', (testCase, message) => {
    expect(() => renderRuleTests({ profile: 'fast', interval: '1s', cases: [testCase] }, 'r.yml')).toThrow(
      message,
    );
  });

  // Why the rules use increaseWithNewSeries(): the same burst case fails against the textbook
  // expression, and promtool says so.
  it('the burst case fails against a plain increase() error rate', async () => {
    const rule = listAlertRules('fast').find((r) => r.name === 'HighApiErrorRate')!;
    const plain = (status: string) =>
      `sum by (job) (increase(http_requests_total{route=~"/api(/.*)?"${status}}[10s]))`;
    tmp.write(
      'plain.yml',
      stringify({
        groups: [
          {
            name: 'plain',
            interval: '1s',
            rules: [
              {
                alert: rule.name,
                expr: `${plain(', status_code=~"5.."')} / ${plain('')} > 0.05`,
                labels: rule.labels,
                annotations: rule.annotations,
              },
            ],
          },
        ],
      }),
    );
    const burst = FAST_RULE_TESTS.cases.filter((c) => c.name.startsWith('a burst of 5xx'));
    tmp.write('plain.test.yml', renderRuleTests({ ...FAST_RULE_TESTS, cases: burst }, 'plain.yml'));
    const result = await run('promtool', ['test', 'rules', 'plain.test.yml'], tmp.dir);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('alertname: HighApiErrorRate, time: 30s');
  });
});
