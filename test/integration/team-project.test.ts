import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthFront, startAuthFront } from '../fixtures/auth-front/front.ts';
import { makeTestCertificates } from '../fixtures/tls/certificates.ts';
import { type TestStack, testStack } from './stack-env.ts';

/**
 * What a team does, outside this repository: pack the package, install the tarball into an empty
 * project, `firedrill init`, point it at monitoring that refuses anonymous requests (TLS with the
 * team's own CA, basic auth, an API key), and run the scaffolded probe and drill — then break the
 * password and the CA and see exit 2 naming the backend and what it answered.
 */

const run = promisify(execFile);
const USER = 'firedrill';
const PASSWORD = 'team-secret-9f3';
const API_KEY = 'dGVhbS1rZXk6czNjcmV0';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function npx(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', 'firedrill', ...args], {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1', FIREDRILL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function devTools(): string[] {
  const version = (name: string) =>
    (
      JSON.parse(readFileSync(path.join(stack.root, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return [`typescript@${version('typescript')}`, `@types/node@${version('@types/node')}`];
}

let stack: TestStack;
let front: AuthFront;
let project: string;
let work: string;
let envFile: Record<string, string>;
const timings: Record<string, number> = {};
let tarballBytes = 0;

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await fn();
  } finally {
    timings[what] = Date.now() - t;
  }
}

function writeEnv(overrides: Record<string, string> = {}, file = '.env'): string {
  const all = { ...envFile, ...overrides };
  writeFileSync(
    path.join(project, file),
    `${Object.entries(all)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  return file;
}

beforeAll(async () => {
  stack = await testStack();
  work = mkdtempSync(path.join(tmpdir(), 'firedrill-team-'));
  const certDir = path.join(work, 'certs');
  mkdirSync(certDir);
  const certs = makeTestCertificates(certDir);
  front = await startAuthFront({
    certs,
    dir: path.join(work, 'front'),
    user: USER,
    password: PASSWORD,
    apiKey: API_KEY,
    upstreams: {
      prometheus: stack.urls.prometheusUrl,
      alertmanager: stack.urls.alertmanagerUrl,
      elasticsearch: stack.urls.elasticsearchUrl,
    },
  });

  // 1. The package as the registry would serve it (prepack builds the declarations).
  const pkgDir = path.join(stack.root, 'packages/firedrill');
  const packed = await timed('npm pack', () =>
    run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: pkgDir }),
  );
  const tarball = path.join(work, packed.stdout.trim().split('\n').at(-1)!);
  tarballBytes = statSync(tarball).size;

  // 2. An empty project elsewhere, installing only the tarball.
  project = path.join(work, 'team-app');
  mkdirSync(project);
  writeFileSync(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'team-app', private: true, type: 'module' }, null, 2)}\n`,
  );
  await timed('npm install', () =>
    // TypeScript and Node's types too, as a team has them for its editor and CI: the versions the
    // repository uses, so the install is served from npm's cache.
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...devTools()],
      {
        cwd: project,
        env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
      },
    ),
  );

  // 3. init, as a team runs it in CI or at a prompt.
  const init = await timed('firedrill init', () =>
    npx(project, [
      'init',
      '--yes',
      '--env-name',
      'staging',
      '--base-url',
      stack.urls.baseUrl,
      '--prometheus',
      front.urls.prometheus,
      '--alertmanager',
      front.urls.alertmanager,
      '--pushgateway',
      front.urls.pushgateway,
      '--elasticsearch',
      front.urls.elasticsearch,
      '--slack-channel',
      '#alerts-critical',
      '--allow-faults',
    ]),
  );
  if (init.code !== 0) throw new Error(`firedrill init exited ${init.code}: ${init.stderr}${init.stdout}`);
  mkdirSync(path.join(project, 'certs'));
  writeFileSync(path.join(project, 'certs/ca.pem'), certs.pem.ca);
  writeFileSync(path.join(project, 'certs/other-ca.pem'), makeTestCertificates().pem.ca);
  // What the team fills into .env from .env.example: URLs, credentials, the CA of their PKI.
  envFile = {
    FIREDRILL_BASE_URL: stack.urls.baseUrl,
    FIREDRILL_FAULT_TOKEN: stack.faultToken,
    FIREDRILL_SLACK_URL: stack.urls.slackApiUrl,
    FIREDRILL_SLACK_TOKEN: 'xoxb-team-app',
  };
  for (const [name, url] of Object.entries({
    PROMETHEUS: front.urls.prometheus,
    ALERTMANAGER: front.urls.alertmanager,
    PUSHGATEWAY: front.urls.pushgateway,
  })) {
    envFile[`FIREDRILL_${name}_URL`] = url;
    envFile[`FIREDRILL_${name}_USERNAME`] = USER;
    envFile[`FIREDRILL_${name}_PASSWORD`] = PASSWORD;
    envFile[`FIREDRILL_${name}_CA_FILE`] = 'certs/ca.pem';
  }
  envFile.FIREDRILL_ELASTICSEARCH_URL = front.urls.elasticsearch;
  envFile.FIREDRILL_ELASTICSEARCH_API_KEY = API_KEY;
  envFile.FIREDRILL_ELASTICSEARCH_CA_FILE = 'certs/ca.pem';
  writeEnv();
  process.stderr.write(
    `[team-project] tarball ${(tarballBytes / 1024).toFixed(0)} KiB; ${Object.entries(timings)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')}\n`,
  );
}, 300_000);

afterAll(async () => {
  await front?.stop();
  if (work && process.env.FIREDRILL_KEEP_TEAM_PROJECT !== '1') rmSync(work, { recursive: true, force: true });
});

describe('firedrill on a team’s own project, against protected monitoring', () => {
  it('installs without the demo app: no server, database or image libraries', () => {
    const modules = readdirSync(path.join(project, 'node_modules'));
    expect(modules).toContain('firedrill');
    for (const absent of ['better-sqlite3', 'sharp', '@firedrill']) expect(modules).not.toContain(absent);
    // fastify itself is there (firedrill's Slack sink); the demo app's plugins and Faro are not.
    for (const absent of ['multipart', 'static', 'cookie'])
      expect(existsSync(path.join(project, 'node_modules/@fastify', absent)), absent).toBe(false);
    expect(existsSync(path.join(project, 'node_modules/@grafana/faro-web-sdk'))).toBe(false);
    const pkg = JSON.parse(
      readFileSync(path.join(project, 'node_modules/firedrill/package.json'), 'utf8'),
    ) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports)).toEqual([
      '.',
      './reporter',
      './report.schema.json',
      './result-line.schema.json',
      './package.json',
    ]);
    // The published report schemas ship in the tarball, so a team can validate reports in CI.
    for (const name of ['report', 'result-line']) {
      const schema = JSON.parse(
        readFileSync(path.join(project, `node_modules/firedrill/schema/${name}.schema.json`), 'utf8'),
      ) as { $id: string };
      expect(schema.$id).toBe(`urn:firedrill:schema:${name}:2`);
    }
    expect(existsSync(path.join(project, 'node_modules/firedrill/dist/types/index.d.ts'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/firedrill/test'))).toBe(false);
  });

  it('init scaffolded a config, a probe, a drill, CI and the env example', () => {
    for (const f of [
      'firedrill.config.ts',
      'probes/health.probe.ts',
      'alert-tests/alert-routing.drill.ts',
      '.env.example',
      '.github/workflows/firedrill.yml',
      '.gitignore',
    ]) {
      expect(existsSync(path.join(project, f)), f).toBe(true);
    }
    expect(readFileSync(path.join(project, 'firedrill.config.ts'), 'utf8')).toContain("from 'firedrill'");
  });

  it('the scaffolded probe passes, pushes through TLS and basic auth, and feeds the team’s own reporter', async () => {
    mkdirSync(path.join(project, 'reporters'), { recursive: true });
    writeFileSync(
      path.join(project, 'reporters/statuses.ts'),
      `import { writeFileSync } from 'node:fs';
import type { Reporter } from 'firedrill/reporter';

export default (file = 'statuses.txt'): Reporter => ({
  onEnd(summary) {
    writeFileSync(file, summary.results.map((r) => \`\${r.id} \${r.status}\`).join('\\n'));
  },
});
`,
    );
    const out = await npx(project, [
      'probe',
      '--env-file',
      '.env',
      '--push',
      '--reporter',
      'console,json,./reporters/statuses.ts=statuses.txt',
    ]);
    expect(out.stderr + out.stdout).not.toContain(PASSWORD);
    expect(out.code, out.stderr + out.stdout).toBe(0);
    expect(readFileSync(path.join(project, 'statuses.txt'), 'utf8')).toBe('health pass');
    const res = await fetch(`${front.urls.pushgateway}/metrics`, {
      dispatcher: new Agent({ connect: { ca: readFileSync(path.join(project, 'certs/ca.pem'), 'utf8') } }),
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    });
    const text = await res.text();
    expect(text).toMatch(/^probe_success\{[^}]*probe="health"[^}]*\} 1$/m);
  });

  it('the scaffolded routing drill passes through the protected Alertmanager to Slack', async () => {
    const out = await npx(project, ['drill', '--env-file', '.env']);
    expect(out.stderr + out.stdout).not.toContain(PASSWORD);
    expect(out.code, out.stderr + out.stdout).toBe(0);
  }, 180_000);

  it('a drill of the team’s own: fault → alert in Prometheus → Slack, logs from the protected log store', async () => {
    writeFileSync(
      path.join(project, 'alert-tests/api-errors.drill.ts'),
      `import { alertFires, appFault, defineDrill, logsArrive, slackMessage } from 'firedrill';

export default defineDrill({
  id: 'api-errors',
  fault: appFault({ kind: 'error-rate', rate: 1, status: 500, ttl: '60s' }),
  // No login: the fault answers before the app's auth does, so 401 is the steady state.
  traffic: { requests: [{ path: '/api/me', expectStatus: 401 }], ratePerSec: 10 },
  expect: [
    alertFires('HighApiErrorRate', { within: '30s' }),
    slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', match: { status_code: 500 }, within: '30s' }),
  ],
  resolve: { within: '45s' },
});
`,
    );
    const out = await npx(project, [
      'drill',
      'api-errors',
      '--env-file',
      '.env',
      '--reporter',
      'console,json',
    ]);
    expect(out.code, out.stderr + out.stdout).toBe(0);
    const report = JSON.parse(
      readFileSync(path.join(project, '.firedrill/reports/results.json'), 'utf8'),
    ) as {
      results: Array<{
        id: string;
        status: string;
        conditions: Array<{ condition: { type: string }; status: string }>;
      }>;
    };
    const drill = report.results.find((r) => r.id === 'api-errors')!;
    expect(drill.conditions.map((c) => [c.condition.type, c.status])).toEqual(
      expect.arrayContaining([
        ['alertFires', 'pass'],
        ['slackMessage', 'pass'],
        ['logsArrive', 'pass'],
      ]),
    );
  }, 180_000);

  it('a k6 load scenario streams its metrics through the protected Prometheus (remote write)', async () => {
    mkdirSync(path.join(project, 'scenarios'), { recursive: true });
    writeFileSync(
      path.join(project, 'scenarios/smoke.js'),
      `import http from 'k6/http';
export const options = { vus: 1, iterations: 5, thresholds: { http_req_failed: ['rate<0.5'] } };
export default function () {
  http.get(\`\${__ENV.BASE_URL}/healthz\`);
}
`,
    );
    const out = await npx(project, [
      'load',
      'scenarios/smoke.js',
      '--env-file',
      '.env',
      '--reporter',
      'json',
    ]);
    expect(out.code, out.stderr + out.stdout).toBe(0);
    const report = JSON.parse(
      readFileSync(path.join(project, '.firedrill/reports/results.json'), 'utf8'),
    ) as {
      results: Array<{ runId: string }>;
    };
    const testid = report.results[0]!.runId;
    // Read back from the stack's Prometheus directly: the samples came in through nginx's TLS and auth.
    const q = encodeURIComponent(`sum(k6_http_reqs_total{testid="${testid}"})`);
    let value: string | undefined;
    for (let i = 0; i < 40 && value === undefined; i++) {
      const body = (await (await fetch(`${stack.urls.prometheusUrl}/api/v1/query?query=${q}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      value = body.data.result[0]?.value[1];
      if (value === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    expect(value).toBe('5');
  }, 120_000);

  it.each([
    [
      'a wrong Pushgateway password',
      ['probe', '--push'],
      { FIREDRILL_PUSHGATEWAY_PASSWORD: 'bad-pass-7x1' },
      /Pushgateway \(environments\.staging\.pushgateway\) at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/status answered HTTP 401/,
    ],
    [
      'a wrong Alertmanager password',
      ['drill', 'alert-routing'],
      { FIREDRILL_ALERTMANAGER_PASSWORD: 'bad-pass-7x1' },
      /Alertmanager \(environments\.staging\.alertmanager\) at https:\/\/127\.0\.0\.1:\d+\/api\/v2\/status answered HTTP 401 \(401 Authorization Required\)/,
    ],
    [
      'a CA that did not sign Prometheus’ certificate',
      ['drill', 'api-errors'],
      { FIREDRILL_PROMETHEUS_CA_FILE: 'certs/other-ca.pem' },
      /Prometheus \(environments\.staging\.prometheus\) at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/\S+ failed TLS verification \(\w+\)/,
    ],
    [
      'a wrong Elasticsearch API key',
      ['drill', 'api-errors'],
      { FIREDRILL_ELASTICSEARCH_API_KEY: 'bm9wZQ==' },
      /Elasticsearch \(environments\.staging\.elasticsearch\) at https:\/\/127\.0\.0\.1:\d+\/\S* answered HTTP 401 \(\{"error":"missing or wrong API key"\}\)/,
    ],
  ])(
    '%s: exit 2, naming the backend and what it answered',
    async (_what, args, overrides, message) => {
      const file = writeEnv(overrides, '.env.broken');
      const out = await npx(project, [...args, '--env-file', file]);
      expect(out.code, out.stderr + out.stdout).toBe(2);
      expect(out.stderr).toMatch(message);
      // Neither the refused secret nor the good one is ever printed back.
      for (const secret of ['bad-pass-7x1', 'bm9wZQ==', PASSWORD, API_KEY])
        expect(out.stderr + out.stdout).not.toContain(secret);
    },
    120_000,
  );

  it('type-checks in the team’s editor and CI: config, probe, drills and reporter against the published types', async () => {
    // tsc prints its errors on stdout and exits non-zero; either way, what it printed is the verdict.
    const tsc = () =>
      run('npx', ['--no-install', 'tsc', '-p', '.'], { cwd: project }).catch(
        (e: { stdout?: string; stderr?: string }) => ({
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? 'failed',
        }),
      );
    const out = await tsc();
    expect(out.stdout + out.stderr).toBe('');
    // And it is typed, not `any`: a wrong kind is caught.
    writeFileSync(
      path.join(project, 'probes/typo.probe.ts'),
      "import { defineProbe } from 'firedrill';\nexport default defineProbe({ id: 'typo', kind: 'htp', async run() {} });\n",
    );
    const typo = await tsc();
    rmSync(path.join(project, 'probes/typo.probe.ts'));
    expect(typo.stdout).toContain(`Type '"htp"' is not assignable to type '"browser" | "http"'`);
  }, 60_000);
});
