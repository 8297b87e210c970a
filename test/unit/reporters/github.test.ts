import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import {
  escapeData,
  escapeProperty,
  GithubReporter,
  jobSummary,
} from '../../../packages/firedrill/src/reporters/github.ts';
import { createReporters } from '../../../packages/firedrill/src/reporters/registry.ts';
import {
  apiErrorRateDrillPassing,
  fixtureResults,
  loginPassing,
  RUN_ID,
  runOf,
} from '../../fixtures/results/index.ts';
import { Capture, replay } from './helpers.ts';

/** The rows of the first Markdown table in `md`, keyed by its header; cells split on unescaped pipes. */
function parseTable(md: string): Record<string, string>[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows = lines.slice(
    start,
    lines.findIndex((l, i) => i > start && !l.startsWith('|')),
  );
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  const [header, rule, ...body] = rows.map(cells);
  expect(rule!.every((c) => /^-+:?$/.test(c))).toBe(true);
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

interface Annotation {
  level: string;
  props: Record<string, string>;
  message: string;
}

/** Workflow command lines as the runner reads them, escapes decoded. */
function parseAnnotations(stdout: string): Annotation[] {
  const decode = (s: string) => decodeURIComponent(s);
  return stdout
    .split('\n')
    .map((l) => /^::(error|warning) ([^:]*)::(.*)$/.exec(l))
    .filter((m) => m !== null)
    .map(([, level, props, message]) => ({
      level: level!,
      props: Object.fromEntries(
        props!.split(',').map((p) => {
          const eq = p.indexOf('=');
          return [p.slice(0, eq), decode(p.slice(eq + 1))];
        }),
      ),
      message: decode(message!),
    }));
}

async function run(results: Result[], env: Record<string, string>, cwd = '/srv/team') {
  const stdout = new Capture();
  await replay(new GithubReporter({ stdout, env, cwd }), runOf(results));
  return stdout.text;
}

describe('github reporter escaping', () => {
  it.each([
    ['100% of 3', '100%25 of 3'],
    ['line one\nline two\r\n', 'line one%0Aline two%0D%0A'],
    ['a: b, c', 'a: b, c'],
  ])('message %j → %j', (raw, escaped) => {
    expect(escapeData(raw)).toBe(escaped);
  });

  it.each([
    ['probes/login.probe.ts', 'probes/login.probe.ts'],
    ['C:\\team,probes', 'C%3A\\team%2Cprobes'],
    ['50%\nx', '50%25%0Ax'],
  ])('property %j → %j', (raw, escaped) => {
    expect(escapeProperty(raw)).toBe(escaped);
  });
});

describe('github reporter job summary', () => {
  it('appends a table of every result, failures first, with drill hops, to GITHUB_STEP_SUMMARY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-github-'));
    const file = join(dir, 'summary.md');
    await writeFile(file, '# an earlier step\n');
    const stdout = await run(fixtureResults(), { GITHUB_STEP_SUMMARY: file });
    expect(stdout).not.toContain('::debug::');
    const md = await readFile(file, 'utf8');
    expect(md.startsWith('# an earlier step\n## ❌ firedrill · staging: 2 failed, 1 errored of 8\n')).toBe(
      true,
    );
    expect(md).toContain(`run \`${RUN_ID}\` · 1m 53s · exit 1`);
    const rows = parseTable(md);
    expect(rows.map((r) => [r.Status, r.ID, r.Kind, r.Duration])).toEqual([
      ['❌ failed', 'admin-login', 'probe', '11.9s'],
      ['❌ failed', 'slow-responses', 'drill', '1m 02s'],
      ['⚠️ errored', 'search', 'probe', '1.32s'],
      ['✅ passed (flaky)', 'image-processing', 'probe', '4.48s'],
      ['✅ passed', 'login', 'probe', '2.31s'],
      ['✅ passed', 'api', 'probe', '760ms'],
      ['✅ passed', 'api-error-rate', 'drill', '29s'],
      ['⏭️ skipped', 'checkout-load', 'scenario', '0ms'],
    ]);
    const byId = Object.fromEntries(rows.map((r) => [r.ID, r]));
    // Measured from the injection; over the pipeline's own maximum is said, not hidden.
    expect(byId['api-error-rate']).toMatchObject({
      Fire: '14s ⚠️ over max 12s',
      Notify: '14.7s ⚠️ over max 12s',
      Log: '5.25s',
      Resolve: '6.35s',
      Why: '',
    });
    expect(byId['slow-responses']).toMatchObject({
      Fire: '–',
      Notify: '–',
      Log: '4.10s',
      Resolve: '–',
      Why: 'fire hop: The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.',
    });
    expect(byId.login).toMatchObject({ Fire: '', Why: '' });
    expect(byId['image-processing']!.Why).toBe('flaky: passed on attempt 2');
    expect(byId['checkout-load']!.Why).toBe('k6 not found on PATH; scenario type-checked only');
    // Each failure in full after the table, the probe's message free of its ANSI codes.
    expect(md).toContain(
      [
        '### ❌ probe admin-login failed',
        '',
        '```text',
        "Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' })",
        'Call log:',
        "  - waiting for getByRole('heading', { name: 'Dashboard' })",
        '  - page shows: "Invalid username or password"',
        'at step submit and wait for /dashboard',
        '```',
      ].join('\n'),
    );
    expect(md).toContain(
      '\nalertFires SlowResponses · source prometheus · within 1m 00s failed: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time\n```\n',
    );
    expect(md).not.toContain('\u001b[');
  });

  it('keeps a message that holds Markdown or HTML inside its cell', () => {
    const r: Result = {
      ...loginPassing(),
      status: 'fail',
      error: { message: 'expected <h1> | got *nothing* & [a](b)\nsecond line' },
    };
    const md = jobSummary({ results: [r], exitCode: 1, durationMs: 10 }, undefined);
    const [row] = parseTable(md);
    expect(Object.keys(row!)).toHaveLength(9);
    expect(row!.Why).toBe('expected \\<h1\\> \\| got \\*nothing\\* &amp; \\[a\\](b)');
    // A message with its own fence cannot close the block it is quoted in.
    const fenced = jobSummary(
      { results: [{ ...r, error: { message: 'saw ```js\nboom\n```' } }], exitCode: 1, durationMs: 10 },
      undefined,
    );
    expect(fenced).toContain('````text\nsaw ```js\nboom\n```\n````\n');
  });

  it('without GITHUB_STEP_SUMMARY writes no summary, and says so only at debug level', async () => {
    const stdout = await run([loginPassing()], {});
    expect(stdout).toBe('::debug::GITHUB_STEP_SUMMARY is not set: no job summary written\n');
  });
});

describe('github reporter annotations', () => {
  it('annotates the file of each failed or errored result, and warns of a flaky pass', async () => {
    const got = parseAnnotations(await run(fixtureResults(), {}));
    expect(got.map((a) => [a.level, a.props.file, a.props.title])).toEqual([
      ['error', 'probes/admin-login.probe.ts', 'admin-login'],
      ['error', 'alert-tests/slow-responses.drill.ts', 'slow-responses'],
      ['error', 'probes/search.probe.ts', 'search'],
      ['warning', 'probes/image-processing.probe.ts', 'image-processing'],
    ]);
    expect(got[0]!.message.split('\n')).toEqual([
      "Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' })",
      'Call log:',
      "  - waiting for getByRole('heading', { name: 'Dashboard' })",
      '  - page shows: "Invalid username or password"',
      'at step submit and wait for /dashboard',
    ]);
    // The diagnosis leads; the consequence (no Slack message) is not a second breakage.
    expect(got[1]!.message.split('\n')).toEqual([
      'fire hop: The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.',
      'alert SlowResponses did not fire within 1m 00s',
      'alertFires SlowResponses · source prometheus · within 1m 00s failed: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time',
    ]);
    expect(got[3]!.message).toBe('probe image processing passed only on attempt 2: flaky');
  });

  it('names the file from the repository root when the project sits in a subfolder', async () => {
    const drill = { ...apiErrorRateDrillPassing(), status: 'fail' as const };
    const out = await run(
      [drill],
      { GITHUB_WORKSPACE: '/home/runner/work/shop' },
      '/home/runner/work/shop/ops',
    );
    expect(parseAnnotations(out)[0]!.props.file).toBe('ops/alert-tests/api-error-rate.drill.ts');
  });

  it('escapes what would end the command early: %, newlines, and , or : in a property', async () => {
    const r: Result = {
      ...loginPassing(),
      id: 'login:eu,west',
      status: 'error',
      steps: [],
      error: { message: '100% broken\r\nsee: logs' },
    };
    const out = await run([r], {});
    expect(out).toContain(
      '::error file=probes/login%3Aeu%2Cwest.probe.ts,title=login%3Aeu%2Cwest::100%25 broken%0Asee: logs\n',
    );
    expect(parseAnnotations(out)[0]).toEqual({
      level: 'error',
      props: { file: 'probes/login:eu,west.probe.ts', title: 'login:eu,west' },
      message: '100% broken\nsee: logs',
    });
  });

  it('is a registered reporter, `github`, taking no argument', () => {
    const [made] = createReporters(['github'], { outDir: '/tmp', stdout: new Capture(), env: {} });
    expect(made!.reporter).toBeInstanceOf(GithubReporter);
  });
});
