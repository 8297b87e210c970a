import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { registerLoadCommands } from '../../../packages/firedrill/src/cli/load-command.ts';
import { buildProgram } from '../../../packages/firedrill/src/cli/program.ts';
import { SetupError } from '../../../packages/firedrill/src/core/errors.ts';
import { K6_FIXTURES, ROOT, realK6 } from './helpers.ts';

const real = await realK6();

let project: string;
let server: Server;
let baseUrl: string;

/** Runs `firedrill <args>` in-process; returns what it printed and the exit code it set. */
async function firedrill(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string; error?: Error }> {
  const program = buildProgram();
  // Once the lead registers `load` in buildProgram, this must not add it twice.
  if (!program.commands.some((c) => c.name() === 'load')) registerLoadCommands(program);
  for (const c of [program, ...program.commands]) c.exitOverride();
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([
      'node',
      'firedrill',
      '-c',
      path.join(project, 'config', 'firedrill.config.ts'),
      ...args,
    ]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } catch (error) {
    return { code: -1, stdout, stderr, error: error as Error };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = saved;
  }
}

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  project = await mkdtemp(path.join(tmpdir(), 'load-cli-'));
  await mkdir(path.join(project, 'config'));
  await symlink(path.join(ROOT, 'scenarios'), path.join(project, 'scenarios'));
  const define = pathToFileURL(path.join(ROOT, 'packages', 'firedrill', 'src', 'config', 'define.ts')).href;
  await writeFile(
    path.join(project, 'config', 'firedrill.config.ts'),
    `import { defineConfig } from '${define}';
export default defineConfig({
  defaultEnvironment: 'fixture',
  environments: { fixture: { baseUrl: '${baseUrl}', credentials: { username: 'u', password: 'p' } } },
});
`,
  );
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(project, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

describe('firedrill load', () => {
  it('--list prints the scenarios', async () => {
    const r = await firedrill('load', '--list');
    expect(r).toMatchObject({ code: 0, stdout: 'api\nimage-processing\nlogin\nrelease\nsmoke\n' });
  });

  it.each([
    [[], 'name a scenario: firedrill load <scenario> (have: api, image-processing, login, release, smoke)'],
    [
      ['nope'],
      `unknown scenario "nope"; scenarios in ${path.join('PROJECT', 'scenarios')}: api, image-processing, login, release, smoke`,
    ],
    [['api', '--env', 'prod'], 'unknown environment "prod" (have: fixture)'],
  ])('%j is a setup error: %s', async (args, message) => {
    const r = await firedrill('load', ...args);
    expect(r.error).toBeInstanceOf(SetupError);
    expect(r.error?.message).toBe(message.replace('PROJECT', project));
  });

  it('--k8s writes the TestRun manifest and prints its path', async () => {
    const out = path.join(project, 'k8s');
    const r = await firedrill(
      'load',
      'smoke',
      '--k8s',
      '--parallelism',
      '3',
      '--profile',
      'release',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const file = path.join(out, 'smoke.testrun.yaml');
    expect(r.stdout).toBe(`${file}\n`);
    expect(r.stderr).toContain(`warning: BASE_URL ${baseUrl} is a loopback address`);
    const [, testRun] = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS());
    expect(testRun.spec.parallelism).toBe(3);
    expect(testRun.metadata.name).toBe('firedrill-smoke-release');
  });

  it('--parallelism must be a whole number', async () => {
    const r = await firedrill('load', 'smoke', '--k8s', '--parallelism', 'two');
    expect(r.error?.message).toContain(
      "option '--parallelism <n>' argument 'two' is invalid. expected a whole number ≥ 1",
    );
  });

  it.skipIf(!real.k6)(
    `runs k6 and reports like a probe run: JSON report, exit code${real.k6 ? '' : ` (skipped: ${real.reason})`}`,
    async () => {
      const report = path.join(project, 'report.json');
      const script = path.join(K6_FIXTURES, 'scripts', 'runner.ts');
      const r = await firedrill(
        'load',
        script,
        '--reporter',
        `json=${report}`,
        '--out',
        path.join(project, 'run'),
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^firedrill load runner: k6 v\d+\.\d+\.\d+ .* → http:\/\/127\.0\.0\.1:\d+\n/);
      const json = JSON.parse(readFileSync(report, 'utf8'));
      expect(json.exitCode).toBe(0);
      expect(
        json.results.map((x: { id: string; kind: string; status: string }) => [x.id, x.kind, x.status]),
      ).toEqual([['runner/get', 'scenario', 'pass']]);
    },
  );
});
