import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import type {
  ConditionResult,
  Result,
  StepResult,
  TimelineEvent,
} from '../../../packages/firedrill/src/core/result.ts';
import { ConsoleReporter, colorEnabled } from '../../../packages/firedrill/src/reporters/console.ts';
import type { ResultRef } from '../../../packages/firedrill/src/reporting/reporter.ts';
import {
  adminLoginFailing,
  apiErrorRateDrillPassing,
  fixtureResults,
  imageProcessingFlaky,
  loginPassing,
  RUN_ID,
  runOf,
  T0,
} from '../../fixtures/results/index.ts';
import { Capture, hasAnsi, replay } from './helpers.ts';

async function render(opts: { tty?: boolean; env?: Record<string, string> } = {}): Promise<string> {
  const out = new Capture(opts.tty ?? false);
  await replay(new ConsoleReporter({ stdout: out, env: opts.env ?? {} }), runOf(fixtureResults()));
  return out.text;
}

describe('ConsoleReporter in a CI log (not a TTY)', () => {
  it('has no ANSI codes, even though the fixture errors carry them', async () => {
    const text = await render();
    expect(hasAnsi(text)).toBe(false);
    expect(text).not.toContain('\r');
  });

  it('prints the header, a line per step as it ends, and a line per result', async () => {
    const text = await render();
    const lines = text.split('\n');
    expect(lines[0]).toBe(`firedrill run ${RUN_ID} · 8 items · staging`);
    expect(lines).toContain('  ✓ login › open /login (620ms)');
    expect(lines).toContain(
      "  ✗ admin login › submit and wait for /dashboard (10s)  Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' })",
    );
    expect(lines).toContain('  - admin login › dashboard shows the admin menu (0ms)');
    expect(lines).toContain('✓ probe login 2.31s');
    expect(lines).toContain('✗ probe admin login 11.9s');
    expect(lines).toContain('! probe search 1.32s');
    expect(text).toContain(
      '- scenario checkout under load 0ms\n    k6 not found on PATH; scenario type-checked only\n',
    );
  });

  it('explains a failure: message, failed step, artifacts', async () => {
    const text = await render();
    const block = text.slice(text.indexOf('✗ probe admin login'), text.indexOf('✗ probe admin login') + 600);
    expect(block).toContain(
      "    Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' }) [timeout]",
    );
    expect(block).toContain('    Call log:');
    expect(block).toContain('    at step submit and wait for /dashboard\n');
    expect(block).toContain('    screenshot: artifacts/admin-login/failure.png');
    expect(block).toContain('    trace: artifacts/admin-login/trace.zip');
  });

  it('marks the flaky pass', async () => {
    expect(await render()).toContain('✓ probe image processing 4.48s  flaky: passed on attempt 2');
  });

  it('prints drill timeline events as they happen, with offsets from the drill start', async () => {
    const lines = (await render()).split('\n');
    expect(lines).toContain('▶ drill api-error-rate');
    expect(lines).toContain(
      '    +0.95s api-error-rate inject    fault injected: app fault errors 50% for 5m  ids=["f-19"] expiresAt=02:05:20Z',
    );
    expect(lines).toContain(
      '   +14.95s api-error-rate fire      HighApiErrorRate firing (prometheus)  source=prometheus value=0.48',
    );
    expect(lines).toContain(
      '   +15.60s api-error-rate notify    Slack message in #alerts-critical  waitedMs=14.7s',
    );
    // Events come before the result line, as they would live.
    expect(lines.indexOf('   +28.90s api-error-rate resolve   drill pass  durationMs=28.9s')).toBeLessThan(
      lines.indexOf('✓ drill api-error-rate 29s'),
    );
  });

  it('shows why a drill failed: unmet conditions with what was seen, and the rollback', async () => {
    const text = await render();
    expect(text).toContain(
      // The broken hop first, in one sentence; then the error.
      '✗ drill slow-responses 1m 02s\n    fire hop: The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.\n    alert SlowResponses did not fire within 1m 00s [assertion]',
    );
    expect(text).toContain(
      '    ✗ alertFires SlowResponses · source prometheus · within 1m 00s — saw {"source":"prometheus","state":"pending","value":1.62}',
    );
    expect(text).toContain(
      '      SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time',
    );
    expect(text).toContain(
      '    ✗ slackMessage #alerts-warning · contains SlowResponses · within 1m 00s (consequence of alertFires SlowResponses) — saw no matching message',
    );
    // Causes are printed whole, never clipped.
    expect(text).toContain(
      '      no message about SlowResponses in #alerts-warning within 1m00s (12 other messages seen, 300 polls)',
    );
    expect(text).toContain('    rolled back');
  });

  it('ends with a summary table, the slowest steps and the verdict', async () => {
    const text = await render();
    const summary = text.slice(text.indexOf('Summary'));
    expect(summary.split('\n')).toEqual([
      `Summary run ${RUN_ID} · 1m 53s`,
      '  passed      4  (1 flaky)',
      '  failed      2',
      '  errored     1',
      '  skipped     1',
      '',
      'Slowest steps',
      '       10s  admin login › submit and wait for /dashboard',
      '     3.41s  image processing › wait for thumbnail',
      '     1.30s  search › open /search',
      '     1.24s  login › submit and wait for /dashboard',
      '     820ms  image processing › upload photo.jpg (1.8 MB)',
      '',
      '✗ FAILED: 2 failed, 1 errored of 8 (exit 1)',
      '',
    ]);
  });
});

describe('ConsoleReporter colour and cursor', () => {
  it.each([
    { isTTY: false, env: {}, expected: false },
    { isTTY: true, env: {}, expected: true },
    { isTTY: true, env: { NO_COLOR: '1' }, expected: false },
    { isTTY: true, env: { NO_COLOR: '' }, expected: true },
    { isTTY: false, env: { FORCE_COLOR: '1' }, expected: true },
    { isTTY: true, env: { FORCE_COLOR: '0' }, expected: false },
    { isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, expected: true },
    { isTTY: true, env: { TERM: 'dumb' }, expected: false },
  ])('colour is $expected for isTTY=$isTTY env=$env', ({ isTTY, env, expected }) => {
    expect(colorEnabled({ isTTY }, env)).toBe(expected);
  });

  it('colours when FORCE_COLOR is set, even in a pipe, and prints the same words', async () => {
    const text = await render({ env: { FORCE_COLOR: '1' } });
    expect(hasAnsi(text)).toBe(true);
    expect(stripVTControlCharacters(text)).toBe(await render());
  });

  it('on a TTY, erases its progress footer before every line so no footer is left in the output', async () => {
    const text = await render({ tty: true, env: { NO_COLOR: '1' } });
    expect(text).toContain('\r\u001b[2K');
    expect(text).toContain('… 0/8 done · running: api items');
    // Every footer is followed by its erase; the run ends with none showing.
    expect(text.split('\r\u001b[2K').at(-1)).not.toContain('running');
  });
});

/** A reporter on a plain (CI) stream, and what it has printed so far. */
function live() {
  const out = new Capture(false);
  return { reporter: new ConsoleReporter({ stdout: out, env: {} }), lines: () => out.text.split('\n') };
}

const refOf = (r: Result, extra: Partial<ResultRef> & { maxAttempts?: number } = {}) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  start: r.start,
  ...extra,
});

/** Lines `from` up to the blank line that ends its block. */
function blockOf(lines: string[], from: string): string[] {
  const i = lines.indexOf(from);
  const steps = lines.slice(0, i).reverse();
  const before = steps.indexOf('');
  return lines.slice(i - (before < 0 ? steps.length : before), i + 1);
}

describe('ConsoleReporter with runs in flight at once', () => {
  it("prints each probe's steps and result as one block, in the order the runs ended", () => {
    const { reporter, lines } = live();
    const login = loginPassing();
    const admin = adminLoginFailing('a.png', 't.zip');
    reporter.onBegin(runOf([login, admin]).ctx);
    reporter.onResultBegin(refOf(login));
    reporter.onResultBegin(refOf(admin));
    // Steps alternate between the two runs, as four workers make them.
    for (let i = 0; i < 4; i++) {
      reporter.onStepEnd(refOf(admin), admin.steps[i]!);
      reporter.onStepEnd(refOf(login), login.steps[i]!);
    }
    expect(lines().filter((l) => l.includes('›'))).toEqual([]);
    reporter.onResult(admin);
    reporter.onResult(login);
    const out = lines();
    expect(blockOf(out, '✗ probe admin login 11.9s')).toEqual([
      '  ✓ admin login › open /login (700ms)',
      '  ✓ admin login › fill admin credentials (210ms)',
      "  ✗ admin login › submit and wait for /dashboard (10s)  Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' })",
      '  - admin login › dashboard shows the admin menu (0ms)',
      '✗ probe admin login 11.9s',
    ]);
    expect(blockOf(out, '✓ probe login 2.31s')).toEqual([
      '  ✓ login › open /login (620ms)',
      '  ✓ login › fill credentials (180ms)',
      '  ✓ login › submit and wait for /dashboard (1.24s)',
      '  ✓ login › dashboard shows the user menu (160ms)',
      '✓ probe login 2.31s',
    ]);
    expect(out.indexOf('✗ probe admin login 11.9s')).toBeLessThan(out.indexOf('✓ probe login 2.31s'));
  });

  it('on a TTY, the footer names the runs in flight and how long each has run', () => {
    vi.useFakeTimers({ now: T0 + 2_000, toFake: ['Date'] });
    try {
      const out = new Capture(true);
      const reporter = new ConsoleReporter({ stdout: out, env: { NO_COLOR: '1' } });
      const login = loginPassing();
      const admin = adminLoginFailing('a.png', 't.zip');
      reporter.onBegin(runOf([login, admin]).ctx);
      reporter.onResultBegin(refOf(login));
      reporter.onResultBegin(refOf(admin));
      expect(out.text.endsWith('  … 0/2 done · running: login 2.00s, admin login 1.96s')).toBe(true);
      reporter.onResult(login);
      expect(out.text.endsWith('  … 1/2 done · running: admin login 1.96s')).toBe(true);
      reporter.onEnd({ results: [login], exitCode: 0, durationMs: 2_000 });
      expect(out.text.split('\r\u001b[2K').at(-1)).not.toContain('running');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a run that never reported a result still shows its steps at the end', () => {
    const { reporter, lines } = live();
    const login = loginPassing();
    reporter.onBegin(runOf([login]).ctx);
    reporter.onResultBegin(refOf(login));
    reporter.onStepEnd(refOf(login), login.steps[0]!);
    reporter.onEnd({ results: [], exitCode: 1, durationMs: 500 });
    expect(blockOf(lines(), '! probe login no result')).toEqual([
      '  ✓ login › open /login (620ms)',
      '! probe login no result',
    ]);
  });
});

describe('ConsoleReporter labels retries', () => {
  const flaky = imageProcessingFlaky();
  const failedStep: StepResult = {
    name: 'wait for thumbnail',
    status: 'fail',
    start: flaky.start - 30_000,
    durationMs: 30_000,
    error: { message: 'thumbnail not ready after 30s', type: 'timeout' },
  };

  function retried(maxAttempts?: number): string[] {
    const { reporter, lines } = live();
    const max = maxAttempts ? { maxAttempts } : {};
    reporter.onBegin(runOf([flaky]).ctx);
    reporter.onResultBegin(refOf(flaky, { attempt: 1, ...max }));
    reporter.onStepEnd(refOf(flaky, { attempt: 1, ...max }), failedStep);
    reporter.onResultBegin(refOf(flaky, { attempt: 2, ...max }));
    for (const s of flaky.steps) reporter.onStepEnd(refOf(flaky, { attempt: 2, ...max }), s);
    reporter.onResult(flaky);
    return lines();
  }

  it('keeps the failed attempt in the block, says which attempt followed, and marks the pass flaky', () => {
    expect(blockOf(retried(3), '✓ probe image processing 4.48s  flaky: passed on attempt 2/3')).toEqual([
      '  ✗ image processing › wait for thumbnail (30s)  thumbnail not ready after 30s',
      '  ↻ image processing › attempt 1/3 failed; attempt 2/3',
      '  ✓ image processing › upload photo.jpg (1.8 MB) (820ms)',
      '  ✓ image processing › wait for thumbnail (3.41s)',
      '  ✓ image processing › download thumbnail (120ms)',
      '✓ probe image processing 4.48s  flaky: passed on attempt 2/3',
    ]);
  });

  it('without the attempt count on the ref, numbers the attempts alone', () => {
    const out = retried();
    expect(out).toContain('  ↻ image processing › attempt 1 failed; attempt 2');
    expect(out).toContain('✓ probe image processing 4.48s  flaky: passed on attempt 2');
  });

  it('labels a run that failed every attempt, and a retried drill as it starts', () => {
    const { reporter, lines } = live();
    const admin = { ...adminLoginFailing('a.png', 't.zip'), attempt: 3, artifacts: [] };
    reporter.onResultBegin(refOf(admin, { attempt: 3, maxAttempts: 3 }));
    reporter.onResult(admin);
    const drill = apiErrorRateDrillPassing();
    reporter.onResultBegin(refOf(drill, { attempt: 2, maxAttempts: 2 }));
    expect(lines()).toContain('✗ probe admin login 11.9s  attempt 3/3');
    expect(lines()).toContain('▶ drill api-error-rate (attempt 2/2)');
  });
});

describe('ConsoleReporter drill timelines', () => {
  const drill = apiErrorRateDrillPassing();
  const at = (ms: number, phase: TimelineEvent['phase'], lane: TimelineEvent['lane'], event: string) => ({
    at: drill.start + ms,
    phase,
    lane,
    event,
  });
  const eventLines = (lines: string[]) => lines.filter((l) => /^ +\+\d/.test(l));

  it('prints events in time order though watchers report them late, each phase once it has ended', () => {
    const { reporter, lines } = live();
    const ref = refOf(drill);
    reporter.onResultBegin(ref);
    reporter.onEvent(ref, at(0, 'preflight', 'preflight', 'preflight started'));
    reporter.onEvent(ref, at(950, 'inject', 'inject', 'fault injected'));
    reporter.onEvent(ref, at(2_740, 'observe', 'notify', 'Slack message in #alerts-critical'));
    // Prometheus' activeAt, placed where it belongs after the Slack message was already seen.
    reporter.onEvent(ref, at(2_730, 'observe', 'fire', 'HighApiErrorRate firing (prometheus)'));
    reporter.onEvent(ref, at(1_020, 'observe', 'inject', 'first bad sample'));
    expect(eventLines(lines())).toEqual([
      '    +0.00s api-error-rate preflight preflight started',
      '    +0.95s api-error-rate inject    fault injected',
    ]);
    reporter.onEvent(ref, at(3_000, 'rollback', 'rollback', 'rolled back'));
    expect(eventLines(lines()).slice(2)).toEqual([
      '    +1.02s api-error-rate inject    first bad sample',
      '    +2.73s api-error-rate fire      HighApiErrorRate firing (prometheus)',
      '    +2.74s api-error-rate notify    Slack message in #alerts-critical',
    ]);
    reporter.onEvent(ref, at(3_100, 'rollback', 'rollback', 'drill pass'));
    reporter.onResult({ ...drill, conditions: [] });
    const out = lines();
    expect(eventLines(out).slice(5)).toEqual([
      '    +3.00s api-error-rate rollback  rolled back',
      '    +3.10s api-error-rate rollback  drill pass',
    ]);
    expect(out.indexOf('    +3.10s api-error-rate rollback  drill pass')).toBeLessThan(
      out.indexOf('✓ drill api-error-rate 29s'),
    );
  });

  it('lists every condition with its status, the quiet-channel checks too', () => {
    const { reporter, lines } = live();
    const quiet = (status: 'pass' | 'fail', channel: string): ConditionResult => ({
      condition: { type: 'noSlackMessage', channel, alert: 'HighApiErrorRate', within: 5_000 },
      hop: 'notify',
      phase: 'observe',
      withinMs: 5_000,
      deadline: drill.start + 5_950,
      status,
      ...(status === 'pass'
        ? { satisfiedAt: drill.start + 5_950, actual: { channel, messagesSeen: 3 } }
        : { message: `message about HighApiErrorRate arrived in ${channel}, which must not get it` }),
    });
    reporter.onResult({
      ...drill,
      conditions: [...drill.conditions!.slice(0, 1), quiet('pass', '#alerts-warning')],
    });
    reporter.onResult({
      ...drill,
      status: 'fail',
      conditions: [quiet('fail', '#alerts-info')],
      rollback: { status: 'pass' },
    });
    expect(lines()).toEqual(
      expect.arrayContaining([
        '    ✓ alertFires HighApiErrorRate · source prometheus · within 1m 00s — at +14.95s',
        '    ✓ noSlackMessage #alerts-warning · HighApiErrorRate · within 5.00s — at +5.95s',
        '    ✗ noSlackMessage #alerts-info · HighApiErrorRate · within 5.00s',
        '      message about HighApiErrorRate arrived in #alerts-info, which must not get it',
      ]),
    );
  });

  it('a drill refused at preflight says its finding once; only what the diagnosis leaves out follows', () => {
    const { reporter, lines } = live();
    const first =
      'Alertmanager routes HighApiErrorRate {severity="critical"} to slack-alerts-warning (posts to #alerts-warning), not to #alerts-critical: the message can never arrive there';
    const refused = (findings: string[]): Result => ({
      ...drill,
      status: 'fail',
      conditions: [],
      error: { message: `preflight failed: ${findings.join('; ')}`, type: 'pipeline-config' },
      diagnosis: {
        hop: 'notify',
        phase: 'preflight',
        message: `Refused before injecting: ${first}${findings.length > 1 ? ' (and 1 more finding)' : ''}.`,
      },
    });
    reporter.onResult(refused([first]));
    const once = blockOf(lines(), '    rolled back');
    expect(once).toEqual([
      '✗ drill api-error-rate 29s',
      `    notify hop: Refused before injecting: ${first}.`,
      '    rolled back',
    ]);
    reporter.onResult(refused([first, 'the rule group api has no rule HighApiErrorRat']));
    expect(lines()).toContain(
      '    preflight failed: the rule group api has no rule HighApiErrorRat [pipeline-config]',
    );
    expect(lines().filter((l) => l.includes('posts to #alerts-warning'))).toHaveLength(2);
  });
});
