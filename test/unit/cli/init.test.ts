import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowTemplate } from '../../../packages/firedrill/src/cli/init-templates.ts';
import { loadEnvFile } from '../../../packages/firedrill/src/config/env-file.ts';
import { ConfigError, findConfig, loadConfig } from '../../../packages/firedrill/src/config/load.ts';
import { loadDrills } from '../../../packages/firedrill/src/drills/loader.ts';
import { loadProbes } from '../../../packages/firedrill/src/probes/loader.ts';
import { createReporters } from '../../../packages/firedrill/src/reporters/registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'packages/firedrill/bin/firedrill.js');

/** An empty project whose node_modules/firedrill is this workspace's package, as npm would link it. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'firedrill-init-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(path.join(ROOT, 'packages/firedrill'), path.join(dir, 'node_modules/firedrill'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  return dir;
}

function cli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const SCAFFOLD = [
  '.env.example',
  '.github/workflows/firedrill.yml',
  '.gitignore',
  'alert-tests/alert-routing.drill.ts',
  'firedrill.config.ts',
  'probes/health.probe.ts',
  'tsconfig.json',
];

function files(dir: string, base = ''): string[] {
  return readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(base, e.name);
    if (e.name === 'node_modules' || e.name === 'package.json') return [];
    return e.isDirectory() ? files(dir, rel) : [rel];
  });
}

describe('firedrill init', () => {
  it('scaffolds a project whose config, probe and drill load; a second run keeps everything', async () => {
    const dir = project();
    const first = await cli(dir, [
      'init',
      '--yes',
      '--base-url',
      'https://staging.example.com',
      '--alertmanager',
      'https://am.example.com',
      '--slack-channel',
      '#ops-alerts',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(files(dir).sort()).toEqual(SCAFFOLD);

    const loaded = await loadConfig(undefined, dir);
    expect(loaded.root).toBe(dir);
    const env = loaded.config.environments.staging!;
    expect(env).toMatchObject({ baseUrl: 'https://staging.example.com', allowFaults: false });
    expect(env.alertmanager).toEqual({ url: 'https://am.example.com', headers: {} });
    expect(env.prometheus).toBeUndefined();
    const probes = await loadProbes({ root: dir, ...loaded.config.probes });
    expect(probes.map((p) => [p.file, p.definition.id])).toEqual([['probes/health.probe.ts', 'health']]);
    const drills = await loadDrills(dir, loaded.config.drills);
    expect(drills[0]!.plan.expect).toMatchObject([
      { type: 'slackMessage', channel: '#ops-alerts', alert: 'FiredrillRoutingCheck' },
    ]);

    writeFileSync(path.join(dir, 'probes/health.probe.ts'), '// edited by the team\n');
    const second = await cli(dir, ['init', '--yes']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to do: firedrill is set up here.');
    expect(second.stdout).toContain('kept     probes/health.probe.ts (exists)');
    expect(readFileSync(path.join(dir, 'probes/health.probe.ts'), 'utf8')).toBe('// edited by the team\n');
  }, 30_000);

  it('adds only the .gitignore lines that are missing, and keeps a config under config/', async () => {
    const dir = project();
    writeFileSync(path.join(dir, '.gitignore'), 'dist/\n.env');
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(path.join(dir, 'config/firedrill.config.ts'), 'export default {};\n');
    const out = await cli(dir, ['init', '--yes']);
    expect(out.stdout).toContain('kept     config/firedrill.config.ts (exists)');
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe(
      'dist/\n.env\n\n# firedrill\n.firedrill/\nnode_modules/\n',
    );
  }, 30_000);

  it('refuses bad flags, writing nothing, exit 2', async () => {
    const dir = project();
    const out = await cli(dir, [
      'init',
      '--yes',
      '--base-url',
      'staging.example.com',
      '--slack-channel',
      'alerts',
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      'firedrill init: nothing written\n' +
        '  --base-url: expected an http(s) URL, got "staging.example.com"\n' +
        '  --slack-channel: expected a channel like #alerts, got "alerts"\n',
    );
    expect(files(dir)).toEqual([]);
    expect((await cli(dir, ['init', '--bogus'])).code).toBe(2);
  }, 30_000);
});

describe('config discovery', () => {
  it('takes firedrill.config.ts at the root before config/firedrill.config.ts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'discover-'));
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(path.join(dir, 'config/firedrill.config.ts'), '');
    expect(findConfig(undefined, dir)).toBe(path.join(dir, 'config/firedrill.config.ts'));
    writeFileSync(path.join(dir, 'firedrill.config.ts'), '');
    expect(findConfig(undefined, dir)).toBe(path.join(dir, 'firedrill.config.ts'));
    expect(findConfig('elsewhere.ts', dir)).toBe(path.join(dir, 'elsewhere.ts'));
  });

  it('names both places it looked, and the fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'discover-'));
    let err: unknown;
    try {
      findConfig(undefined, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      `${dir}/firedrill.config.ts or ${dir}/config/firedrill.config.ts: no firedrill config found: run \`firedrill init\` to create one, or pass -c <file>`,
    );
  });
});

describe('--env-file', () => {
  const names = ['FD_TEST_A', 'FD_TEST_B'];
  afterEach(() => {
    for (const n of names) delete process.env[n];
  });

  it('sets what the environment lacks; what is set already wins', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envfile-'));
    writeFileSync(path.join(dir, '.env'), '# comment\nFD_TEST_A=from-file\nFD_TEST_B="quoted value"\n');
    process.env.FD_TEST_A = 'from-shell';
    expect(loadEnvFile('.env', dir)).toEqual(['FD_TEST_B']);
    expect(process.env.FD_TEST_A).toBe('from-shell');
    expect(process.env.FD_TEST_B).toBe('quoted value');
  });

  it('a missing file is a setup error naming it', () => {
    expect(() => loadEnvFile('nope.env', '/srv/team')).toThrow(
      '--env-file nope.env: cannot read /srv/team/nope.env: ENOENT',
    );
  });
});

describe('the scaffolded workflow', () => {
  it('parses as YAML and gates on the probes with reporters that exist, github among them', () => {
    const workflow = parse(workflowTemplate()) as {
      jobs: { probes: { steps: Array<{ run?: string }> } };
    };
    const run = workflow.jobs.probes.steps
      .map((s) => s.run)
      .find((r) => r?.startsWith('npx firedrill probe'));
    expect(run).toBe('npx firedrill probe -r console -r github -r junit -r html');
    const specs = [...run!.matchAll(/-r (\S+)/g)].map((m) => m[1]!);
    expect(
      createReporters(specs, { outDir: tmpdir(), stdout: new Writable(), env: {} }).map((r) => r.name),
    ).toEqual(['console', 'github', 'junit', 'html']);
  });
});
