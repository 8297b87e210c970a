import { describe, expect, it } from 'vitest';
import { renderAlertmanagerConfig } from '../../../config/alerting/alertmanager.ts';
import { inhibitors, inhibitRules, parseMatcher } from '../../../packages/firedrill/src/drills/inhibition.ts';

// The shipped routing: AppDown inhibits every other alert of the same job.
const shipped = inhibitRules(
  renderAlertmanagerConfig({
    profile: 'fast',
    channels: { critical: '#alerts-critical', warning: '#alerts-warning' },
    slackWebhookUrl: (c) => `http://127.0.0.1:1/hooks/${c}`,
    firedrillWebhookUrl: 'http://127.0.0.1:2/alertmanager',
  }),
);
const appDown = { labels: { alertname: 'AppDown', job: 'demo-app', severity: 'critical' } };

describe('inhibition', () => {
  it.each([
    ['alertname="AppDown"', { name: 'alertname', op: '=', value: 'AppDown' }],
    ['alertname!="AppDown"', { name: 'alertname', op: '!=', value: 'AppDown' }],
    ['job=~"demo.*"', { name: 'job', op: '=~', value: 'demo.*' }],
    ['severity!~warn', { name: 'severity', op: '!~', value: 'warn' }],
    ['summary="say \\"hi\\""', { name: 'summary', op: '=', value: 'say "hi"' }],
  ])('parses the matcher %s', (text, matcher) => {
    expect(parseMatcher(text)).toEqual(matcher);
  });

  it('finds an active AppDown inhibiting a rule alert of the app, whose job the drill does not know yet', () => {
    expect(inhibitors(shipped, [appDown], { alertname: 'HighMemoryUsage', severity: 'warning' })).toEqual([
      'AppDown',
    ]);
  });

  it('never counts an alert as inhibiting itself, nor one of another job', () => {
    expect(inhibitors(shipped, [appDown], { alertname: 'AppDown' })).toEqual([]);
    expect(inhibitors(shipped, [appDown], { alertname: 'HighMemoryUsage', job: 'checkout' })).toEqual([]);
  });

  it('reads an injected alert’s labels exactly: without a job it shares none with AppDown', () => {
    const routed = { alertname: 'FiredrillRoutingWarning', severity: 'warning' };
    expect(inhibitors(shipped, [appDown], routed, true)).toEqual([]);
  });

  it('reads the pre-0.22 spelling too', () => {
    const rules = inhibitRules(
      'inhibit_rules:\n  - source_match: { severity: critical }\n    target_match_re: { severity: "warn.*" }\n    equal: [cluster]\n',
    );
    expect(inhibitors(rules, [appDown], { alertname: 'X', severity: 'warning' })).toEqual(['AppDown']);
    expect(inhibitors(rules, [appDown], { alertname: 'X', severity: 'info' })).toEqual([]);
  });
});
