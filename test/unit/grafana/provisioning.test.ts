import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajv2020Module from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS_MOUNT, GRAFANA_FOLDER } from '../../../config/grafana/provisioning.ts';
import { REPO_ROOT } from '../monitoring-config/tools.ts';

// CommonJS with `exports.default`, as in packages/firedrill/src/log-schemas/validate.ts.
const Ajv2020 = ajv2020Module.default;
const addFormats = formatsModule.default;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
const schema = (name: string) => {
  if (!compiled.has(name)) {
    const file = new URL(`schemas/${name}.schema.json`, import.meta.url);
    compiled.set(name, ajv.compile(JSON.parse(readFileSync(file, 'utf8'))));
  }
  return compiled.get(name)!;
};
const yaml = (path: string) => parse(readFileSync(join(REPO_ROOT, path), 'utf8'));

const PROFILES = ['fast', 'default'] as const;
const FILES: [path: string, schema: string][] = [
  ...PROFILES.flatMap((p): [string, string][] => [
    [`config/grafana/alerting/${p}/rules.yml`, 'alert-rules'],
    [`config/grafana/alerting/${p}/contact-points.yml`, 'contact-points'],
    [`config/grafana/alerting/${p}/policies.yml`, 'policies'],
  ]),
  ['config/grafana/provisioning/datasources/datasources.yml', 'datasources'],
  ['config/grafana/provisioning/dashboards/firedrill.yml', 'dashboard-providers'],
];

const composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const grafanaEnv: Record<string, string> = parse(composeText).services.grafana.environment;

describe('Grafana provisioning files', () => {
  it.each(FILES)('%s is well-formed and valid against %s.schema.json', (path, name) => {
    const validate = schema(name);
    const ok = validate(yaml(path));
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schemas reject what Grafana rejects', () => {
    const rules = schema('alert-rules');
    const good = yaml('config/grafana/alerting/fast/rules.yml');
    const rule = good.groups[0].rules[0];
    for (const broken of [
      { ...rule, uid: undefined },
      { ...rule, data: [] },
      { ...rule, for: '2 minutes' },
      { ...rule, noDataState: 'Normal' },
      { ...rule, dasboardUid: 'typo' },
    ]) {
      expect(rules({ ...good, groups: [{ ...good.groups[0], rules: [broken] }] })).toBe(false);
    }
    const points = schema('contact-points');
    const cp = yaml('config/grafana/alerting/fast/contact-points.yml');
    const receiver = cp.contactPoints[0].receivers[0];
    const { url: _url, ...noUrl } = receiver.settings;
    expect(
      points({
        ...cp,
        contactPoints: [{ ...cp.contactPoints[0], receivers: [{ ...receiver, settings: noUrl }] }],
      }),
    ).toBe(false);
  });

  // Grafana expands `$NAME` and `${NAME}` in these files from its environment (`$$` for a
  // literal `$`): a stray `$` in a template would silently become an empty string.
  it.each(PROFILES)(
    '%s: every $ in the alerting files is an env reference docker-compose.yml sets for Grafana',
    (p) => {
      for (const file of readdirSync(join(REPO_ROOT, `config/grafana/alerting/${p}`))) {
        const text = readFileSync(join(REPO_ROOT, `config/grafana/alerting/${p}`, file), 'utf8');
        const dollars = [...text.matchAll(/\$(\{(\w+)\}|.)/g)];
        for (const [whole, , name] of dollars) {
          expect(name, `${file}: ${whole}`).toBeDefined();
          expect(Object.keys(grafanaEnv), `${file}: ${whole}`).toContain(name);
        }
      }
    },
  );

  it.each(PROFILES)('%s: policies route only to provisioned contact points', (p) => {
    const names = yaml(`config/grafana/alerting/${p}/contact-points.yml`).contactPoints.map(
      (c: { name: string }) => c.name,
    );
    const receivers: string[] = [];
    const walk = (route: { receiver?: string; routes?: unknown[] }) => {
      if (route.receiver) receivers.push(route.receiver);
      for (const r of route.routes ?? []) walk(r as typeof route);
    };
    for (const policy of yaml(`config/grafana/alerting/${p}/policies.yml`).policies) walk(policy);
    expect(receivers.length).toBeGreaterThan(1);
    for (const r of receivers) expect(names).toContain(r);
  });

  it.each(PROFILES)('%s: rules query provisioned data sources, in the dashboards folder', (p) => {
    const uids = yaml('config/grafana/provisioning/datasources/datasources.yml').datasources.map(
      (d: { uid: string }) => d.uid,
    );
    for (const group of yaml(`config/grafana/alerting/${p}/rules.yml`).groups) {
      expect(group.folder).toBe(GRAFANA_FOLDER.title);
      for (const rule of group.rules)
        for (const q of rule.data) expect([...uids, '__expr__']).toContain(q.datasourceUid);
    }
  });

  it('the dashboard provider reads where docker-compose.yml mounts config/grafana/dashboards', () => {
    const [provider] = yaml('config/grafana/provisioning/dashboards/firedrill.yml').providers;
    expect(provider.options.path).toBe(DASHBOARDS_MOUNT);
    expect(parse(composeText).services.grafana.volumes).toContain(
      `./config/grafana/dashboards:${DASHBOARDS_MOUNT}:ro`,
    );
  });

  it('the Elasticsearch data source reads the index and time field Logstash and Kibana use', () => {
    const es = yaml('config/grafana/provisioning/datasources/datasources.yml').datasources.find(
      (d: { type: string }) => d.type === 'elasticsearch',
    );
    expect(es.url).toBe('http://elasticsearch:9200');
    expect(es.jsonData).toMatchObject({ index: 'app-logs-*', timeField: 'time', logMessageField: 'msg' });
  });
});
