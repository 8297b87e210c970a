import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { grafanaQuery, grafanaRuleUid, slackWebhookEnvVar } from '../../../config/alerting/grafana.ts';
import { listAlertRules, RULE_DEFINITIONS } from '../../../config/alerting/rules.ts';
import { REPO_ROOT, run, tempDir } from '../monitoring-config/tools.ts';

const tmp = tempDir('grafana-alerting');
afterAll(() => tmp.remove());

const yaml = (path: string) => parse(readFileSync(join(REPO_ROOT, path), 'utf8'));

interface PromRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  data: { refId: string; datasourceUid: string; model: Record<string, unknown> }[];
}

describe.each(['fast', 'default'] as const)(
  'profile %s: Prometheus rules and Grafana provisioning agree',
  (profile) => {
    const prom: { name: string; rules: PromRule[] }[] = yaml(`config/prometheus/rules.${profile}.yml`).groups;
    const grafana: { name: string; rules: GrafanaRule[] }[] = yaml(
      `config/grafana/alerting/${profile}/rules.yml`,
    ).groups;
    const promRules = prom.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
    const grafanaRules = grafana.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));

    it('has the same alerts, in the same groups and order', () => {
      expect(grafanaRules.map((r) => [r.group, r.title])).toEqual(promRules.map((r) => [r.group, r.alert]));
      expect(grafanaRules).toHaveLength(RULE_DEFINITIONS.length);
    });

    it.each(listAlertRules(profile).map((r) => [r.name]))(
      '%s: same for, labels (severity) and annotations',
      (name) => {
        const p = promRules.find((r) => r.alert === name)!;
        const g = grafanaRules.find((r) => r.title === name)!;
        expect(g.for).toBe(p.for);
        expect(g.labels).toEqual(p.labels);
        expect(g.labels.severity).toMatch(/^(critical|warning)$/);
        expect(g.annotations).toEqual(p.annotations);
        expect(g.uid).toBe(grafanaRuleUid(name));
        expect(g.uid.length).toBeLessThanOrEqual(40);
      },
    );

    it.each(listAlertRules(profile).map((r) => [r.name]))(
      "%s: Grafana's query is the rule's expr with a bool comparison, over the Prometheus data source",
      (name) => {
        const rule = listAlertRules(profile).find((r) => r.name === name)!;
        const g = grafanaRules.find((r) => r.title === name)!;
        expect(promRules.find((r) => r.alert === name)!.expr).toBe(rule.expr);
        const [query, threshold] = g.data;
        expect(query!.datasourceUid).toBe('prometheus');
        expect(query!.model).toMatchObject({ instant: true, expr: grafanaQuery(rule) });
        expect(threshold!.model).toMatchObject({ type: 'threshold', expression: 'A' });
        expect(g.condition).toBe(threshold!.refId);
      },
    );

    // The same input series and evaluation times as the promtool unit tests of the Prometheus rules:
    // at every one, the series Grafana's query reads 1 for are exactly the series the Prometheus
    // expression returns. promtool evaluates both with the real PromQL engine.
    it("Grafana's queries select exactly the series the Prometheus expressions do (promtool)", async () => {
      const suite = yaml(`config/prometheus/tests/rules.${profile}.test.yml`);
      const exprOf = new Map(promRules.map((r) => [r.alert, r.expr]));
      const queryOf = new Map(grafanaRules.map((r) => [r.title, String(r.data[0]!.model.expr)]));
      const tests = suite.tests.map(
        (t: {
          name: string;
          interval: string;
          input_series: unknown;
          alert_rule_test: { eval_time: string; alertname: string }[];
        }) => ({
          name: t.name,
          interval: t.interval,
          input_series: t.input_series,
          promql_expr_test: t.alert_rule_test.flatMap(({ eval_time, alertname }) => {
            const prometheus = `(${exprOf.get(alertname)})`;
            const grafanaFires = `((${queryOf.get(alertname)}) == 1)`;
            return [
              { expr: `${grafanaFires} unless ${prometheus}`, eval_time, exp_samples: [] },
              { expr: `${prometheus} unless ${grafanaFires}`, eval_time, exp_samples: [] },
            ];
          }),
        }),
      );
      const file = tmp.write(
        `equivalence.${profile}.test.yml`,
        stringify(
          { rule_files: [], evaluation_interval: suite.evaluation_interval, tests },
          { lineWidth: 0 },
        ),
      );
      const result = await run('promtool', ['test', 'rules', file]);
      expect(result.stdout + result.stderr).toContain('SUCCESS');
      expect(result.code).toBe(0);
    });
  },
);

describe('grafanaQuery', () => {
  it.each([
    ['up == 0', 0, 'up == bool 0'],
    ['rate(x[5m]) > 0.9', 0.9, 'rate(x[5m]) > bool 0.9'],
    ['sum(a)\n/\nsum(b)\n> 0.05', 0.05, 'sum(a)\n/\nsum(b)\n> bool 0.05'],
    ['a >= 2', 2, 'a >= bool 2'],
    ['sum by (job) (a or b) > 1', 1, 'sum by (job) (a or b) > bool 1'],
  ])('%j → %j', (expr, threshold, want) => {
    expect(grafanaQuery({ name: 'X', expr, threshold })).toBe(want);
  });

  it.each([
    ['up', 0, 'X: expr must end with a comparison to a number, like "> 0.05"'],
    ['up == 1', 0, "X: expr compares with 1, but the rule's threshold is 0"],
    [
      'a > bool 1',
      1,
      'X: expr must be "<query> <op> <threshold>", without bool or a top-level and/or/unless',
    ],
    [
      'a and b > 1',
      1,
      'X: expr must be "<query> <op> <threshold>", without bool or a top-level and/or/unless',
    ],
    [
      'a unless b > 1',
      1,
      'X: expr must be "<query> <op> <threshold>", without bool or a top-level and/or/unless',
    ],
  ])('refuses %j', (expr, threshold, message) => {
    expect(() => grafanaQuery({ name: 'X', expr, threshold })).toThrow(message);
  });
});

describe('contact points and notification policies', () => {
  it.each(['fast', 'default'])(
    '%s: one Slack contact point per channel, its URL from an env var',
    (profile) => {
      const { contactPoints } = yaml(`config/grafana/alerting/${profile}/contact-points.yml`);
      expect(contactPoints.map((c: { name: string }) => c.name)).toEqual([
        'slack-alerts-critical',
        'slack-alerts-warning',
      ]);
      for (const cp of contactPoints) {
        const [receiver] = cp.receivers;
        expect(receiver.type).toBe('slack');
        expect(receiver.settings.url).toBe(`\${${slackWebhookEnvVar(receiver.settings.recipient)}}`);
        // Drills match Slack messages on these markers, as they do Alertmanager's.
        expect(receiver.settings.title).toContain('[{{ .Status | toUpper }}');
        expect(receiver.settings.title).toContain('{{ .GroupLabels.alertname }}');
      }
    },
  );

  it.each(['fast', 'default'])(
    '%s: policies route each severity to its channel, the rest to warning',
    (profile) => {
      const [root] = yaml(`config/grafana/alerting/${profile}/policies.yml`).policies;
      expect(root.receiver).toBe('slack-alerts-warning');
      expect(root.group_by).toEqual(['alertname', 'job', 'drill_id']);
      expect(root.routes).toEqual([
        { receiver: 'slack-alerts-critical', object_matchers: [['severity', '=', 'critical']] },
        { receiver: 'slack-alerts-warning', object_matchers: [['severity', '=', 'warning']] },
      ]);
      const severities = new Set(listAlertRules('fast').map((r) => r.severity));
      for (const s of severities)
        expect(root.routes.some((r: { object_matchers: string[][] }) => r.object_matchers[0]![2] === s)).toBe(
          true,
        );
    },
  );
});
