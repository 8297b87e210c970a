import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConsoleReporter, colorEnabled } from '../../../packages/firedrill/src/reporters/console.ts';
import { fixtureResults, RUN_ID, runOf } from '../../fixtures/results/index.ts';
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
    expect(text).toContain('… 0/8 done · running api items');
    // Every footer is followed by its erase; the run ends with none showing.
    expect(text.split('\r\u001b[2K').at(-1)).not.toContain('running');
  });
});
