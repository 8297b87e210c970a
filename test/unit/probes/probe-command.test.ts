import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProbeCommands } from '../../../packages/firedrill/src/cli/probe-command.ts';
import { buildProgram } from '../../../packages/firedrill/src/cli/program.ts';
import { SetupError } from '../../../packages/firedrill/src/core/errors.ts';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { parseExposition, sample } from '../metrics/exposition.ts';
import { makeProject, runCli } from './cli-project.ts';
import { startServer, type TestServer } from './helpers.ts';

const PROBES = {
  'home.probe.ts': `export default {
    id: 'home', kind: 'http', tags: ['smoke'],
    run: async ({ step, http }) => { await step('get home', () => http.get('/', { expect: { status: 200 } })); },
  };`,
  'health.probe.ts': `export default {
    id: 'health', kind: 'http', tags: ['smoke'],
    run: async ({ step, http }) => { await step('get health', () => http.get('/healthz', { expect: { json: { ok: true } } })); },
  };`,
  'broken.probe.ts': `export default {
    id: 'broken', kind: 'http', tags: ['deep'],
    run: async ({ step, http }) => { await step('get missing', () => http.get('/missing', { expect: { status: 200 } })); },
  };`,
};

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('firedrill probe', () => {
  let target: TestServer;
  let gateway: ChildProcess;
  let gatewayUrl: string;
  let project: string;

  beforeAll(async () => {
    target = await startServer((req, res) => {
      if (req.url === '/') res.end('home');
      else if (req.url === '/healthz')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else res.writeHead(404).end('nope');
    });
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    gateway = spawn('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    project = makeProject(
      {
        stateDir: 'state',
        defaultEnvironment: 'lab',
        environments: {
          lab: { baseUrl: target.url, location: 'lab-1', pushgateway: gatewayUrl },
          nopush: { baseUrl: target.url },
          local: { stack: true },
        },
      },
      PROBES,
    );
  });
  afterAll(async () => {
    gateway.kill('SIGTERM');
    await target.close();
  });

  it('exits 0 when the chosen probes pass, writes reports, and pushes each probe to its own group', async () => {
    const json = path.join(project, 'out.json');
    const run = await runCli(project, [
      'probe',
      '--tag',
      'smoke',
      '--reporter',
      'console',
      '--reporter',
      `json=${json}`,
      '--push',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('home');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { results: Result[] };
    expect(report.results.map((r) => [r.id, r.status]).sort()).toEqual([
      ['health', 'pass'],
      ['home', 'pass'],
    ]);
    expect(report.results[0]?.steps[0]?.requestIds?.[0]).toMatch(
      new RegExp(`^${report.results[0]!.runId}-1$`),
    );
    const samples = parseExposition(await (await fetch(`${gatewayUrl}/metrics`)).text());
    const pushed = { job: 'firedrill-push', location: 'lab-1' };
    expect(sample(samples, 'probe_success', { ...pushed, probe: 'home', kind: 'http' })).toBe(1);
    expect(
      sample(samples, 'probe_http_status_code', { ...pushed, probe: 'health', step: 'get health' }),
    ).toBe(200);
    // One group per probe: pushing one never replaces the other's series.
    expect(sample(samples, 'push_time_seconds', { ...pushed, probe: 'home' })).toBeGreaterThan(0);
    expect(sample(samples, 'push_time_seconds', { ...pushed, probe: 'health' })).toBeGreaterThan(0);
  });

  it('exits 1 when any probe fails, naming the failing step', async () => {
    const run = await runCli(project, ['probe', 'home', 'broken']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('expected status 200, got 404');
  });

  it('exits 2 with every probe problem printed at once', async () => {
    const bad = makeProject(
      { defaultEnvironment: 'lab', environments: { lab: { baseUrl: target.url } } },
      {
        'a.probe.ts': `export default { id: 'a', kind: 'http', schedule: '* * *', run: async () => {} };`,
        'b.probe.ts': `export default { id: 'B', kind: 'soap', run: async () => {} };`,
      },
    );
    const run = await runCli(bad, ['probe']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      [
        'firedrill: 2 probe files broken, not run:',
        'firedrill:   probes/a.probe.ts: schedule: invalid cron expression "* * *" (expected 5 or 6 fields but got 3)',
        'firedrill:   probes/b.probe.ts: id: expected lowercase letters, digits and dashes (like "api-items"), got "B"',
        'firedrill:   probes/b.probe.ts: kind: expected "browser" or "http", got "soap"',
      ].join('\n'),
    );
  });

  describe('one broken or misnamed file', () => {
    let mixed: string;
    beforeAll(() => {
      mixed = makeProject(
        { defaultEnvironment: 'lab', environments: { lab: { baseUrl: target.url } } },
        {
          'home.probe.ts': PROBES['home.probe.ts'],
          'typo.probe.ts': `export default { id: 'typo', kind: 'http', tags: ['smoke'], shedule: '* * * * *', run: async () => {} };`,
          'login.probe.js': `export default { id: 'login', kind: 'http', run: async () => {} };`,
          'steps.ts': `export const helper = 1;`,
        },
      );
    });

    it('blocks only itself: the others run, it is reported as an error, and the gate exits 2', async () => {
      const json = path.join(mixed, 'out.json');
      const run = await runCli(mixed, ['probe', '-r', `json=${json}`]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('firedrill: 1 probe file broken, not run:');
      expect(run.stderr).toContain(
        'firedrill:   probes/typo.probe.ts: shedule: unknown property (did you mean "schedule"?)',
      );
      expect(run.stderr).toContain(
        'firedrill: probes/login.probe.js: not loaded: probe files match *.probe.ts',
      );
      expect(run.stderr).not.toContain('steps.ts');
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        results: Result[];
        exitCode: number;
      };
      expect(report.results.map((r) => [r.id, r.status, r.error?.type])).toEqual([
        ['typo', 'error', 'config'],
        ['home', 'pass', undefined],
      ]);
      expect(report.exitCode).toBe(2);
    });

    it('does not block a run that names other probes', async () => {
      const run = await runCli(mixed, ['probe', 'home']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('probes/typo.probe.ts: shedule');
    });

    it('refuses a run that names the broken one, with its problems', async () => {
      const run = await runCli(mixed, ['probe', 'typo']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        'probes/typo.probe.ts: shedule: unknown property (did you mean "schedule"?)',
      );
    });

    it('lists probes, broken files and misnamed ones, as text and as JSON (exit 2 while one is broken)', async () => {
      const text = await runCli(mixed, ['probe', '--list']);
      expect(text.code).toBe(2);
      expect(text.stdout.split('\n')[0]).toBe('home  http  #smoke  probes/home.probe.ts');
      const json = await runCli(mixed, ['probe', '--list', '--json', '--grep', 'HOM']);
      expect(JSON.parse(json.stdout)).toEqual({
        kind: 'probe',
        definitions: [
          { id: 'home', name: 'home', file: 'probes/home.probe.ts', kind: 'http', tags: ['smoke'] },
        ],
        broken: [
          {
            file: 'probes/typo.probe.ts',
            id: 'typo',
            problems: [{ path: 'shedule', message: 'unknown property (did you mean "schedule"?)' }],
          },
        ],
        notLoaded: [{ file: 'probes/login.probe.js', reason: 'not loaded: probe files match *.probe.ts' }],
      });
    });

    it('says --json goes with --list, and a bad --grep, as usage errors', async () => {
      expect((await runCli(mixed, ['probe', '--json'])).code).toBe(2);
      const grep = await runCli(mixed, ['probe', '--list', '--grep', '(']);
      expect(grep.code).toBe(2);
      expect(grep.stderr).toContain('--grep: not a regular expression');
    });
  });

  // The same command in-process: setup errors are thrown before anything runs, so no child is needed.
  it.each([
    [['probe', 'nope', 'home'], 'unknown probe "nope" (have: broken, health, home)'],
    [['probe', 'nope', 'gone'], 'unknown probes "nope", "gone" (have: broken, health, home)'],
    [['probe', '--env', 'prod'], 'unknown environment "prod" (have: lab, nopush, local)'],
    [
      ['probe', '--env', 'nopush', '--push'],
      '--push needs a Pushgateway: set environments.nopush.pushgateway, or use a stack environment with the pushgateway running',
    ],
    [
      ['probe', '--env', 'local'],
      /^environment "local" uses the local stack, but its demo app is not running \(state in .*\/state\); run `firedrill stack up`$/,
    ],
    [
      ['probe', '--tag', 'nothing'],
      'no probe matches tag nothing and environment "lab" (have: broken, health, home)',
    ],
    [['probe', '--reporter', 'yaml'], /^unknown reporter "yaml"/],
    [['probe', '--concurrency', '0'], 'expected a positive integer, got "0"'],
  ])('a setup error, exit 2: %j', async (args, message) => {
    const program = buildProgram();
    if (!program.commands.some((c) => c.name() === 'probe')) registerProbeCommands(program);
    program.exitOverride();
    const err = await program
      .parseAsync(['node', 'firedrill', '-c', path.join(project, 'config/firedrill.config.ts'), ...args])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    if (typeof message === 'string') expect((err as Error).message).toBe(message);
    else expect((err as Error).message).toMatch(message);
  });
});
