import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { HtmlReporter, renderHtmlReport } from '../../../packages/firedrill/src/reporters/html.ts';
import { loginPassing, runOf } from '../../fixtures/results/index.ts';
import { replay } from './helpers.ts';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

describe('html report escaping', () => {
  const hostile: Result = {
    ...loginPassing(),
    id: 'x"><script>window.pwned=1</script>',
    name: '<script>window.pwned=2</script>',
    status: 'fail',
    error: { message: '<img src=x onerror="window.pwned=3">', type: '"><svg onload=window.pwned=4>' },
    steps: [{ name: '</script><script>window.pwned=5</script>', status: 'fail', start: 0, durationMs: 5 }],
    artifacts: [{ kind: 'screenshot', path: 'javascript:window.pwned=6' }],
    timeline: [
      {
        at: 1,
        phase: 'observe',
        lane: 'other',
        event: '<b onmouseover=window.pwned=7>',
        detail: { x: '</title><script>window.pwned=8</script>' },
      },
    ],
    conditions: [
      {
        condition: { type: '<i>', alert: '<script>', within: 1000 },
        hop: 'other',
        phase: 'observe',
        withinMs: 1000,
        deadline: 1001,
        status: 'fail',
        actual: '<script>window.pwned=9</script>',
      },
    ],
    metrics: { '<script>': 1 },
  };

  it('escapes names, errors, steps, events, conditions, metrics and artifact paths', async () => {
    const page = await renderHtmlReport(runOf([{ ...hostile, kind: 'drill' }, hostile]).summary, undefined, {
      path: '/tmp/x/index.html',
      outDir: '/tmp/x',
    });
    expect(page).toContain('&lt;script&gt;window.pwned=2&lt;/script&gt;');
    expect(page).toContain('&lt;img src=x onerror=&quot;window.pwned=3&quot;&gt;');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/<(img|svg|b|i)\s+[^>]*on\w+=/);
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('href="./javascript%3Awindow.pwned%3D6"');
  });

  it('runs nothing injected in a real browser, while its own script still works under the CSP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-html-xss-'));
    const path = join(dir, 'index.html');
    const run = runOf([hostile, { ...hostile, kind: 'drill', id: 'd' }, loginPassing()]);
    await replay(new HtmlReporter({ path, outDir: dir }), run);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on('dialog', (d) => problems.push(`dialog ${d.message()}`));
      tab.on('pageerror', (e) => problems.push(e.message));
      tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await tab.goto(`file://${path}`);
      // Hover and load handlers would fire on these if any had become markup.
      await tab.evaluate(() => {
        for (const el of document.querySelectorAll('*'))
          el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      });
      expect(await tab.evaluate(() => (window as { pwned?: unknown }).pwned)).toBeUndefined();
      expect(problems).toEqual([]);
      // The inline script is allowed by its hash: the "passed" filter hides the failed cards.
      await tab.click('button[data-filter="pass"]');
      expect(await tab.locator('details.card:visible').count()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
