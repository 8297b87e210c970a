import { Document } from 'yaml';
import { durationSeconds } from '../alerting/promql.ts';
import { APP_JOB, listAlertRules, type Profile } from '../alerting/rules.ts';

/** `instance` label of the app's series in rule tests. */
export const TEST_INSTANCE = 'app';

/** One promtool test group: input series, then which alerts fire when. */
export interface RuleTestCase {
  /** Alert under test. */
  alert: string;
  /** What the case shows; promtool prints it when the case fails. */
  name: string;
  /**
   * Series selector → values in promtool's expanding notation (`0+10x60`, `_x30 5x10`, `stale`).
   * The app's `up` series, 1 throughout, is added unless the case gives an `up{…}` of its own.
   */
  series: Record<string, string>;
  /**
   * Evaluation time (`30s`, `4m`) → the labels of each alert expected to fire then, beyond
   * `alertname` and the rule's own labels; `[]` means it must not fire.
   */
  expect: Record<string, Record<string, string>[]>;
}

export interface RuleTestSuite {
  profile: Profile;
  /** Scrape and evaluation interval of the inputs. */
  interval: string;
  cases: RuleTestCase[];
}

/** A series selector for an app metric, with the `job` and `instance` that the rules match on. */
export function appSeries(metric: string, labels: Record<string, string> = {}): string {
  const all = { job: APP_JOB, instance: TEST_INSTANCE, ...labels };
  return `${metric}{${Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

/**
 * A promtool unit-test file for `suite`, with the expected annotations filled in from the rules so
 * that the cases pin only timing and labels. `ruleFile` is relative to the test file's folder.
 */
export function renderRuleTests(suite: RuleTestSuite, ruleFile: string): string {
  const rules = new Map(listAlertRules(suite.profile).map((r) => [r.name, r]));
  const intervalSeconds = durationSeconds(suite.interval);
  const tests = suite.cases.map((testCase) => {
    const rule = rules.get(testCase.alert);
    if (!rule) {
      throw new Error(
        `rule test ${JSON.stringify(testCase.name)}: no alert rule named ${JSON.stringify(testCase.alert)}`,
      );
    }
    const evalTimes = Object.keys(testCase.expect);
    if (evalTimes.length === 0) {
      throw new Error(`rule test ${JSON.stringify(testCase.name)}: expect names no evaluation time`);
    }
    const series = { ...testCase.series };
    if (!Object.keys(series).some((s) => s.startsWith('up{'))) {
      const lastEval = Math.max(...evalTimes.map(durationSeconds));
      series[appSeries('up')] = `1x${Math.ceil(lastEval / intervalSeconds) + 1}`;
    }
    return {
      name: `${testCase.alert}: ${testCase.name}`,
      interval: suite.interval,
      input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
      alert_rule_test: Object.entries(testCase.expect).map(([evalTime, alerts]) => ({
        eval_time: evalTime,
        alertname: testCase.alert,
        exp_alerts: alerts.map((labels) => ({
          exp_labels: { ...rule.labels, ...labels },
          exp_annotations: rule.annotations,
        })),
      })),
    };
  });
  const doc = new Document({
    rule_files: [ruleFile],
    evaluation_interval: suite.interval,
    tests,
  });
  doc.commentBefore =
    ` Generated from config/alerting/rule-tests.${suite.profile}.ts by config/build/build.ts. Do not edit.` +
    `\n Run: promtool test rules config/prometheus/tests/rules.${suite.profile}.test.yml`;
  return doc.toString({ lineWidth: 0 });
}
