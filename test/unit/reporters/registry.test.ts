import { access, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonReporter } from '../../../packages/firedrill/src/reporters/json.ts';
import {
  createReporters,
  parseReporterSpecs,
  REPORTERS,
} from '../../../packages/firedrill/src/reporters/registry.ts';
import { ReporterSpecError } from '../../../packages/firedrill/src/reporting/definition.ts';
import { ReporterMultiplexer } from '../../../packages/firedrill/src/reporting/multiplexer.ts';
import { fixtureRun } from '../../fixtures/results/index.ts';
import { Capture, replay } from './helpers.ts';

const opts = { outDir: '/srv/ci/reports', cwd: '/srv/ci', stdout: new Capture(), env: {} };

function specError(specs: string[], extra: Partial<Parameters<typeof createReporters>[1]> = {}): string {
  try {
    createReporters(specs, { ...opts, ...extra });
  } catch (err) {
    expect(err).toBeInstanceOf(ReporterSpecError);
    return (err as Error).message;
  }
  throw new Error('expected a ReporterSpecError');
}

describe('reporter specs', () => {
  it.each([
    [['console'], [{ name: 'console', spec: 'console' }]],
    [['json=out/results.json'], [{ name: 'json', arg: 'out/results.json', spec: 'json=out/results.json' }]],
    [
      ['console,junit=reports/junit.xml', ' html '],
      [
        { name: 'console', spec: 'console' },
        { name: 'junit', arg: 'reports/junit.xml', spec: 'junit=reports/junit.xml' },
        { name: 'html', spec: 'html' },
      ],
    ],
    [['slack=#alerts'], [{ name: 'slack', arg: '#alerts', spec: 'slack=#alerts' }]],
    [['', ','], []],
  ])('parses %j', (specs, expected) => {
    expect(parseReporterSpecs(specs)).toEqual(expected);
  });

  it('names an unknown reporter and lists the known ones', () => {
    expect(specError(['console', 'xml=out.xml'])).toBe(
      'unknown reporter "xml" in --reporter "xml=out.xml"; known reporters: console, json[=path], junit[=path], html[=path], slack[=channel], github, metrics[=path], or a file (./my-reporter.ts)',
    );
  });

  it('reports every bad spec at once', () => {
    expect(specError(['jsno', 'console=verbose', 'junit=']).split('\n')).toEqual([
      'unknown reporter "jsno" in --reporter "jsno"; known reporters: console, json[=path], junit[=path], html[=path], slack[=channel], github, metrics[=path], or a file (./my-reporter.ts)',
      'reporter "console" takes no argument, got "console=verbose"',
      'reporter "junit": empty path after "=" in "junit="',
    ]);
  });

  it('explains what the slack reporter needs', () => {
    expect(specError(['slack=#alerts'])).toBe(
      'reporter "slack" ("slack=#alerts"): needs a Slack client: set slack.token for the environment, or use the local stack',
    );
    const slack = { poster: { postMessage: async () => ({}) } };
    expect(specError(['slack'], { slack })).toBe(
      'reporter "slack" ("slack"): needs a channel: slack=#channel',
    );
    expect(createReporters(['slack'], { ...opts, slack: { ...slack, channel: '#ci' } })).toHaveLength(1);
  });

  it('puts default files in the report directory and typed paths relative to the cwd', () => {
    const made = createReporters(
      ['console', 'json', 'json=out/results.json', 'JUNIT', 'html=/tmp/r.html'],
      opts,
    );
    expect(made.map((m) => m.name)).toEqual(['console', 'json', 'json', 'junit', 'html']);
    expect(made[1]!.reporter).toBeInstanceOf(JsonReporter);
  });

  it('every reporter has a unique lower-case name and a description', () => {
    const names = REPORTERS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of REPORTERS) {
      expect(r.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(r.description.length).toBeGreaterThan(10);
    }
  });

  it('runs end to end: specs → reporters → multiplexer → files where the specs said', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-registry-'));
    const run = await fixtureRun(dir);
    const stdout = new Capture();
    const posted: string[] = [];
    const reporters = createReporters(['console', 'json', 'junit=junit/out.xml', 'html', 'slack=#ci'], {
      outDir: dir,
      cwd: dir,
      stdout,
      env: {},
      slack: { poster: { postMessage: async (m) => void posted.push(m.text) } },
    });
    const mux = new ReporterMultiplexer(reporters);
    expect(mux.stdoutReporters()).toEqual(['console']);
    await replay(mux, run);
    expect(mux.failures).toEqual([]);
    await access(join(dir, 'results.json'));
    await access(join(dir, 'junit/out.xml'));
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('<!doctype html>');
    expect(stdout.text).toContain('✗ FAILED: 2 failed, 1 errored of 8 (exit 1)');
    expect(posted).toEqual(['firedrill staging: 2 failed, 1 errored of 8 (run r-20250603-0200-7f3a)']);
  });
});
