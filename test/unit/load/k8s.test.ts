import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ajvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { bundleScenario } from '../../../packages/firedrill/src/load/bundle.ts';
import { parseInspectOutput } from '../../../packages/firedrill/src/load/inspect.ts';
import { type TestRunOptions, testRunManifest } from '../../../packages/firedrill/src/load/k8s.ts';
import { listScenarios } from '../../../packages/firedrill/src/load/scenarios.ts';
import { K6_FIXTURES, ROOT, realK6 } from './helpers.ts';

const Ajv = ajvModule.default;
const run = promisify(execFile);

type Schema = Record<string, unknown>;

/**
 * The API server prunes fields a structural schema does not list — silently. A typo such as
 * `paralelism` would vanish in the cluster; here every listed object refuses unknown fields
 * instead, except the subtrees the fixture cut down (`x-firedrill-pruned`).
 */
function strict(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, Schema>).map(([k, v]) => [k, strict(v)]),
    );
    const open = out['x-kubernetes-preserve-unknown-fields'] || out['x-firedrill-pruned'];
    if (out.additionalProperties === undefined && !open) {
      out.additionalProperties = false;
    }
  }
  if (out.items && typeof out.items === 'object') out.items = strict(out.items as Schema);
  return out;
}

const crd = parse(readFileSync(path.join(K6_FIXTURES, 'k6-operator', 'testruns.k6.io.crd.yaml'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
// Kubernetes' integer formats; ajv knows neither.
ajv.addFormat('int32', {
  type: 'number',
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
});
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
const validateTestRun = ajv.compile(strict(crd.spec.versions[0].schema.openAPIV3Schema));

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

function problems(validate: typeof validateTestRun, doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const base: Omit<TestRunOptions, 'scenario' | 'script'> = {
  parallelism: 4,
  baseUrl: 'https://staging.example.com',
  runId: 'load-0a1b2c3d',
  profile: 'release',
  prometheusUrl: 'http://prometheus.monitoring:9090',
  credentialsSecret: 'firedrill-load-credentials',
  namespace: 'load',
};

const scenarios = await listScenarios(ROOT);

describe('k6-operator TestRun manifest', () => {
  it.each(scenarios.map((s) => [s.name, s.file]))(
    '%s validates against the TestRun CRD schema',
    async (name, file) => {
      const { code } = await bundleScenario(file);
      const m = testRunManifest({ ...base, scenario: name, script: code });
      const docs = parseAllDocuments(m.yaml).map((d) => d.toJS());
      expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'TestRun']);
      const [configMap, testRun] = docs;
      expect(problems(validateTestRun, testRun)).toEqual([]);
      expect(testRun.apiVersion).toBe('k6.io/v1alpha1');
      expect(testRun.spec.script.configMap).toEqual({ name: configMap.metadata.name, file: `${name}.js` });
      expect(configMap.data[`${name}.js`]).toBe(code);
      for (const doc of docs) {
        expect(doc.metadata.name).toMatch(DNS_LABEL);
        expect(doc.metadata.namespace).toBe('load');
        for (const [k, v] of Object.entries(doc.metadata.labels as Record<string, string>)) {
          expect(k.split('/').at(-1)).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
          expect(v).toMatch(LABEL_VALUE);
        }
      }
      for (const key of Object.keys(configMap.data)) expect(key).toMatch(CONFIGMAP_KEY);
      expect(m.warnings).toEqual([]);
    },
  );

  it('passes parallelism, arguments and env; credentials only as Secret references', async () => {
    const m = testRunManifest({ ...base, scenario: 'smoke', script: '// script' });
    const [, testRun] = m.objects;
    expect(testRun.metadata.name).toBe('firedrill-smoke-release');
    expect(testRun.spec.parallelism).toBe(4);
    expect(testRun.spec.arguments).toBe(
      '-e BASE_URL=https://staging.example.com -e FIREDRILL_RUN_ID=load-0a1b2c3d -e PROFILE=release --tag testid=load-0a1b2c3d --tag location=k8s',
    );
    expect(testRun.spec.runner.image).toBe('grafana/k6:1.1.0');
    expect(testRun.spec.initializer.image).toBe('grafana/k6:1.1.0');
    expect(testRun.spec.runner.env).toEqual([
      { name: 'K6_NO_USAGE_REPORT', value: 'true' },
      { name: 'K6_OUT', value: 'experimental-prometheus-rw' },
      { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: 'http://prometheus.monitoring:9090/api/v1/write' },
      { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: 'p(95),p(99),avg,max,count' },
      {
        name: 'FIREDRILL_USERNAME',
        valueFrom: { secretKeyRef: { name: 'firedrill-load-credentials', key: 'username' } },
      },
      {
        name: 'FIREDRILL_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'firedrill-load-credentials', key: 'password' } },
      },
    ]);
    expect(m.yaml).not.toMatch(/&a\d|\*a\d/);
  });

  it('the validator is strict: a typo, a wrong type or a missing script fail', () => {
    const testRun = structuredClone(
      testRunManifest({ ...base, scenario: 'api', script: 'x' }).objects[1],
    ) as unknown as {
      spec: Record<string, unknown>;
    };
    expect(problems(validateTestRun, { ...testRun, spec: { ...testRun.spec, paralelism: 2 } })).toEqual([
      '/spec must NOT have additional properties',
    ]);
    expect(problems(validateTestRun, { ...testRun, spec: { ...testRun.spec, parallelism: '4' } })).toEqual([
      '/spec/parallelism must be integer',
    ]);
    const { script: _script, ...noScript } = testRun.spec;
    expect(problems(validateTestRun, { ...testRun, spec: noScript })).toEqual([
      "/spec must have required property 'script'",
    ]);
  });

  it.each([0, 1.5, -2])('refuses parallelism %d', (parallelism) => {
    expect(() => testRunManifest({ ...base, parallelism, scenario: 'api', script: 'x' })).toThrow(
      `parallelism: expected a whole number ≥ 1, got ${parallelism}`,
    );
  });

  it('warns when pods could not reach the target or Prometheus', () => {
    const m = testRunManifest({
      ...base,
      baseUrl: 'http://127.0.0.1:3000',
      prometheusUrl: 'http://localhost:9090',
      scenario: 'api',
      script: 'x',
    });
    expect(m.warnings).toEqual([
      'BASE_URL http://127.0.0.1:3000 is a loopback address: runner pods cannot reach it; use an environment with a routable baseUrl',
      'Prometheus http://localhost:9090 is a loopback address: runner pods cannot push metrics to it',
    ]);
  });

  it('refuses a script env value the arguments string cannot carry', () => {
    expect(() =>
      testRunManifest({ ...base, baseUrl: 'https://x.example.com/a b', scenario: 'api', script: 'x' }),
    ).toThrow('BASE_URL: "https://x.example.com/a b" has whitespace, which TestRun arguments cannot carry');
  });

  it("passes the operator's initializer: k6 archive with the arguments, then inspect, with no env (real k6)", async (ctx) => {
    const real = await realK6();
    if (real.k6?.kind !== 'binary') return ctx.skip(real.reason ?? 'needs a k6 binary');
    const file = scenarios.find((s) => s.name === 'smoke')!.file;
    const m = testRunManifest({ ...base, scenario: 'smoke', script: (await bundleScenario(file)).code });
    const [configMap, testRun] = m.objects;
    const dir = await mkdtemp(path.join(tmpdir(), 'testrun-script-'));
    try {
      // The ConfigMap volume as the pod sees it, then the initializer's own command line
      // (pkg/resources/jobs/initializer.go): archive with the arguments, inspect the archive.
      const script = path.join(dir, testRun.spec.script.configMap.file);
      await writeFile(script, configMap.data[testRun.spec.script.configMap.file]!);
      const archive = path.join(dir, 'smoke.js.archived.tar');
      const bare = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
      await run(real.k6.path, ['archive', script, '-O', archive, ...testRun.spec.arguments!.split(' ')], {
        env: bare,
      });
      const { stdout } = await run(real.k6.path, ['inspect', '--execution-requirements', archive], {
        env: bare,
      });
      const plan = parseInspectOutput(stdout);
      expect(
        Object.values(plan.scenarios)
          .map((s) => s.flow)
          .sort(),
      ).toEqual(['api', 'image-processing', 'login']);
      // PROFILE=release reached the script through the archive: minutes, not seconds.
      expect(plan.totalDurationMs).toBeGreaterThan(5 * 60_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
