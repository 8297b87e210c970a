import type { Page } from 'playwright';
import type { RequestRouter } from './request-routing.ts';
import { VITALS_FLUSH } from './web-vitals.ts';

const FLUSH_MS = 500;
const FARO_QUIET_MS = 300;
const FARO_MAX_MS = 1500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * One round trip at the end of a run: deliver the vitals entries the browser still holds, and
 * when the app runs Faro, fake "tab hidden" — web-vitals reports its final LCP/CLS/INP and
 * Faro flushes its batch on that event, as they would when a real user leaves.
 */
const FLUSH_SCRIPT = `(() => {
  if (typeof window.${VITALS_FLUSH} === 'function') window.${VITALS_FLUSH}();
  if (typeof window.faro !== 'object') return false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange'));
  return true;
})()`;

/** Bounded throughout: the page may be wedged, and a run's end must not wait on it. */
export async function flushPage(page: Page, router: RequestRouter): Promise<void> {
  const hasFaro = await Promise.race([
    page.evaluate(FLUSH_SCRIPT).then(
      (v) => v === true,
      () => false,
    ),
    sleep(FLUSH_MS).then(() => false),
  ]);
  if (!hasFaro) return;
  // web-vitals queues its final values on the same event Faro flushes on, so they leave in a
  // second batch: wait for the beacons to go quiet rather than for the first one.
  const deadline = Date.now() + FARO_MAX_MS;
  let seen = router.faro.beacons;
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < FARO_QUIET_MS) {
    await sleep(50);
    if (router.faro.beacons !== seen) {
      seen = router.faro.beacons;
      quietSince = Date.now();
    }
  }
}
