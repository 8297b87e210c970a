import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAlertRules } from '../../../config/alerting/rules.ts';
import { ConfigError } from '../../../packages/firedrill/src/config/load.ts';
import { formatMs, parseDuration, tryParseDuration } from '../../../packages/firedrill/src/core/duration.ts';
import {
  alertFires,
  appFault,
  defineDrill,
  logsArrive,
  promql,
  slackMessage,
} from '../../../packages/firedrill/src/drills/define.ts';
import { loadDrills, selectDrills, validateDrill } from '../../../packages/firedrill/src/drills/loader.ts';

const root = path.resolve(import.meta.dirname, '../../..');

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0', 0],
    [1500, 1500],
  ])('%s → %d ms', (d, ms) => {
    expect(parseDuration(d)).toBe(ms);
  });

  it.each(['', '30', '30 s', '1x', 'soon', -1])('%j is not a duration', (d) => {
    expect(tryParseDuration(d)).toBeUndefined();
  });

  it('says what it expected', () => {
    expect(() => parseDuration('soon')).toThrow(`expected a duration like '30s' or '1m30s', got "soon"`);
  });

  it.each([
    [850, '850ms'],
    [1420, '1.4s'],
    [125_000, '2m05s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

describe('condition builders', () => {
  it('build plain serializable data', () => {
    const conds = [
      alertFires('HighApiErrorRate', { labels: { severity: 'critical' }, within: '30s' }),
      slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' }),
      logsArrive({ index: 'app-logs-*', schema: 'backend', match: { status_code: 500 }, within: '20s' }),
      promql('up', { op: '==', value: 0, within: '10s' }),
    ];
    expect(JSON.parse(JSON.stringify(conds))).toEqual(conds);
    expect(conds.map((c) => c.type)).toEqual(['alertFires', 'slackMessage', 'logsArrive', 'promql']);
  });
});

describe('validateDrill', () => {
  const good = defineDrill({
    id: 'api-error-rate',
    fault: appFault({ kind: 'error-rate', rate: 1, ttl: '60s' }),
    expect: [alertFires('HighApiErrorRate', { within: '30s' })],
  });

  it('accepts a drill built with the builders', () => {
    expect(validateDrill(good, 'x.drill.ts').diagnostics).toEqual([]);
  });

  it('collects every problem with its property path, at once', () => {
    const bad = {
      id: 'Bad Id',
      fault: { type: 'app', kind: 'meltdown', params: {}, ttl: 'forever' },
      expect: [
        { type: 'alertFires', alert: 'X', within: 'soon' },
        { type: 'slackMessage', channel: 'alerts', within: '5s', extra: true },
        { type: 'nope' },
      ],
      timeoutMs: -5,
    };
    const messages = validateDrill(bad, 'alert-tests/bad.drill.ts').diagnostics.map(
      (d) => `${d.path}: ${d.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'id: expected lowercase letters, digits and dashes',
        expect.stringMatching(/^fault.kind: Invalid option: expected one of "latency"/),
        `fault.ttl: expected a duration like '30s' or 1500 (ms), got "forever"`,
        `expect.0.within: expected a duration like '30s' or 1500 (ms), got "soon"`,
        'expect.1: Unrecognized key: "extra"',
        'expect.2.type: expected a condition built by alertFires, slackMessage, noSlackMessage, logsArrive or promql',
        'timeoutMs: Too small: expected number to be >0',
      ]),
    );
  });

  it("takes a log schema by built-in name or by a .json file's path", () => {
    const withSchema = (schema: string) =>
      validateDrill({ ...good, expect: [logsArrive({ schema, within: '5s' })] }, 'x.drill.ts').diagnostics;
    expect(withSchema('backend')).toEqual([]);
    expect(withSchema('/srv/contracts/backend-v2.schema.json')).toEqual([]);
    expect(withSchema('Backend Logs')[0]?.message).toBe(
      'expected a built-in schema name like backend, or a path to a .json file',
    );
  });

  it('takes a cron schedule that node-cron runs, and names a bad one', () => {
    expect(validateDrill({ ...good, schedule: '0 3 * * *' }, 'x.drill.ts').diagnostics).toEqual([]);
    const [d] = validateDrill({ ...good, schedule: '0 25 * * *' }, 'x.drill.ts').diagnostics;
    expect(d?.path).toBe('schedule');
    expect(d?.message).toMatch(/^invalid cron expression "0 25 \* \* \*"/);
  });

  it('asks for an alert name when a Slack condition has nothing to default to', () => {
    const d = validateDrill(
      { ...good, expect: [slackMessage({ channel: '#alerts-critical', within: '5s' })] },
      'x.drill.ts',
    ).diagnostics;
    expect(d).toEqual([
      {
        file: 'x.drill.ts',
        path: 'expect.0.alert',
        message: 'name the alert, or add an alertFires condition it can default to',
      },
    ]);
  });
});

describe('loadDrills', () => {
  it('loads every shipped drill in alert-tests/', async () => {
    const drills = await loadDrills(root);
    expect(drills.map((d) => d.plan.id).sort()).toEqual([
      'alert-routing',
      'api-error-rate',
      'app-down',
      'event-loop-lag',
      'failed-login-spike',
      'high-memory',
      'resource-exhaustion',
      'slow-api-responses',
      'slow-database',
      'slow-image-processing',
      'suspicious-requests',
    ]);
  });

  it('drills every alert rule of config/alerting/rules.ts', async () => {
    const drilled = new Set(
      (await loadDrills(root)).flatMap((d) =>
        d.plan.expect.flatMap((c) => (c.type === 'alertFires' ? [c.alert] : [])),
      ),
    );
    const undrilled = listAlertRules('fast')
      .map((r) => r.name)
      .filter((name) => !drilled.has(name));
    expect(undrilled).toEqual([]);
  });

  it('reports all files at once: import failures, missing exports, invalid drills, duplicate ids', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drills-'));
    const define = path.join(root, 'packages/firedrill/src/drills/define.ts');
    writeFileSync(
      path.join(dir, 'a.drill.ts'),
      `import { defineDrill, appFault, alertFires } from '${define}';\nexport default defineDrill({ id: 'same', fault: appFault({ kind: 'hang', ttl: '5s' }), expect: [alertFires('X', { within: '5s' })] });\n`,
    );
    writeFileSync(
      path.join(dir, 'b.drill.ts'),
      `export default { id: 'same', fault: { type: 'shell', inject: 'true', rollback: 'true' }, expect: [{ type: 'promql', expr: 'up', op: '>', value: 0, within: '1s' }] };\n`,
    );
    writeFileSync(path.join(dir, 'c.drill.ts'), 'export const nothing = 1;\n');
    writeFileSync(path.join(dir, 'd.drill.ts'), 'throw new Error("boom");\n');
    writeFileSync(path.join(dir, 'e.drill.ts'), 'export default { id: "e", expect: [] };\n');
    writeFileSync(path.join(dir, 'ignored.ts'), 'throw new Error("not a drill file");\n');
    const err = await loadDrills(dir, '.').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).diagnostics.map((d) => `${d.file}: ${d.path}: ${d.message}`)).toEqual([
      'b.drill.ts: id: duplicate drill id "same" (also in a.drill.ts)',
      'c.drill.ts: : has no default export (export default defineDrill({...}))',
      'd.drill.ts: : failed to load: boom',
      'e.drill.ts: fault: required: a fault built by appFault, badTraffic, shell, toxiproxy or injectAlert',
      'e.drill.ts: expect: a drill must expect something',
    ]);
  });

  it('names a probe that drill traffic asks for but probes/ does not have', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drills-'));
    const define = path.join(root, 'packages/firedrill/src/drills/define.ts');
    const drill = (id: string, probe: string) =>
      `import { defineDrill, appFault, alertFires } from '${define}';\nexport default defineDrill({ id: '${id}', fault: appFault({ kind: 'hang', ttl: '5s' }), traffic: { probe: '${probe}' }, expect: [alertFires('X', { within: '5s' })] });\n`;
    writeFileSync(path.join(dir, 'a.drill.ts'), drill('a', 'checkout'));
    const err = await loadDrills(dir, '.').catch((e: unknown) => e);
    expect((err as ConfigError).diagnostics.map((d) => `${d.file}: ${d.path}: ${d.message}`)).toEqual([
      'a.drill.ts: traffic.probe: no probe "checkout" in probes/ (have: none)',
    ]);
  });

  it('selects by id and names unknown ones', async () => {
    const all = await loadDrills(root);
    expect(selectDrills(all, ['app-down']).map((d) => d.plan.id)).toEqual(['app-down']);
    expect(() => selectDrills(all, ['nope'])).toThrow(
      /no drill "nope" \(have: alert-routing, api-error-rate/,
    );
  });
});
