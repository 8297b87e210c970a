import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { renderHtmlReport } from '../../../packages/firedrill/src/reporters/html.ts';
import {
  apiErrorRateDrillPassing,
  apiErrorRateMisroutedFailing,
  dashboardColdStartPassing,
  fixtureResults,
  runOf,
  slowResponsesDrillFailing,
  thresholdsLoadBreach,
} from '../../fixtures/results/index.ts';

/**
 * The report as a browser lays it out, in headless Chromium at the widths people open it at. The
 * fixtures carry what the verifiers really record (a Slack message's text and moments, label sets),
 * which is what pushed the Conditions table ~200 px past its card before.
 */
const CHROMIUM = '/usr/bin/chromium';
const WIDTHS = [1280, 1920] as const;

interface Overflow {
  page: { scrollWidth: number; innerWidth: number };
  /** Anything inside a card whose box sticks out past the card's, or that scrolls sideways. */
  problems: string[];
  cards: number;
}

const REPORTS: Record<string, () => Result[]> = {
  'a passing drill': () => [apiErrorRateDrillPassing()],
  'a failing drill': () => [slowResponsesDrillFailing(), apiErrorRateMisroutedFailing()],
  'a whole run': () => [
    ...fixtureResults(),
    apiErrorRateMisroutedFailing(),
    dashboardColdStartPassing(),
    ...thresholdsLoadBreach(),
  ],
};

describe('html report layout in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-layout-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(() => browser?.close());

  async function measure(results: Result[], name: string, width: number): Promise<Overflow> {
    const run = runOf(results);
    const path = join(dir, `${name.replace(/\W+/g, '-')}.html`);
    await writeFile(
      path,
      await renderHtmlReport(run.summary, run.ctx, { path, outDir: dir, generatedAt: 0 }),
    );
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      await page.goto(`file://${path}`);
      const out = await page.evaluate(() => {
        const problems: string[] = [];
        const cards = [...document.querySelectorAll<HTMLDetailsElement>('details.card')];
        for (const card of cards) {
          card.open = true;
          const box = card.getBoundingClientRect();
          if (card.scrollWidth > card.clientWidth)
            problems.push(`${card.id} scrolls: ${card.scrollWidth} > ${card.clientWidth}`);
          for (const el of card.querySelectorAll<HTMLElement>('table, th, td, svg, section, pre, .wf-row')) {
            const r = el.getBoundingClientRect();
            if (r.right > box.right + 0.5)
              problems.push(
                `${card.id} ${el.tagName.toLowerCase()}.${el.className} ends ${Math.round(r.right - box.right)}px past the card`,
              );
          }
        }
        return {
          page: { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth },
          problems,
          cards: cards.length,
        };
      });
      expect(errors).toEqual([]);
      return out;
    } finally {
      await page.close();
    }
  }

  for (const [name, results] of Object.entries(REPORTS)) {
    it.each(WIDTHS)(`${name} fits its cards at %i px: nothing overflows sideways`, async (width) => {
      const m = await measure(results(), name, width);
      expect(m.cards).toBeGreaterThan(0);
      expect(m.problems).toEqual([]);
      expect(m.page.scrollWidth).toBeLessThanOrEqual(m.page.innerWidth);
    });
  }
});
