import type { BrowserContext, Page } from 'playwright';
import { FARO_VITALS, type FaroVital } from './faro.ts';

export type Vital = FaroVital;
export const VITALS = FARO_VITALS;

/** Binding the page calls with each new value; survives navigations, unlike page globals. */
const BINDING = '__firedrill_vital';
export const VITALS_FLUSH = '__firedrill_flush';

/**
 * Runs in every document before the app's scripts. A string, not a function: tsx/esbuild may
 * wrap functions in helpers (`__name`) that do not exist inside the page.
 *
 * Values are pushed to Node as they change, so a navigation (login → items) cannot lose the
 * previous document's numbers. The definitions follow web.dev's: LCP is the last candidate,
 * CLS the largest session window (gaps < 1 s, windows ≤ 5 s, shifts after input excluded),
 * INP the slowest interaction (a probe makes far fewer than the 50 interactions after which
 * INP becomes a 98th percentile), TTFB `responseStart - activationStart`.
 */
export const VITALS_INIT_SCRIPT = `(() => {
  if (window !== window.top || typeof PerformanceObserver !== 'function') return;
  const doc = performance.timeOrigin;
  const send = (name, value) => {
    const f = window.${BINDING};
    if (typeof f === 'function') f(doc, name, value).catch(() => {});
  };
  const observers = [];
  const observe = (type, onEntries, extra) => {
    try {
      const po = new PerformanceObserver((list) => onEntries(list.getEntries()));
      po.observe(Object.assign({ type, buffered: true }, extra));
      observers.push([po, onEntries]);
    } catch {}
  };
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav && nav.responseStart > 0) send('ttfb', Math.max(nav.responseStart - (nav.activationStart || 0), 0));
  observe('paint', (es) => { for (const e of es) if (e.name === 'first-contentful-paint') send('fcp', e.startTime); });
  observe('largest-contentful-paint', (es) => { const e = es[es.length - 1]; if (e) send('lcp', e.startTime); });
  let cls = 0, win = 0, first = 0, last = 0;
  if ((PerformanceObserver.supportedEntryTypes || []).includes('layout-shift')) send('cls', 0);
  observe('layout-shift', (es) => {
    for (const e of es) {
      if (e.hadRecentInput) continue;
      if (win > 0 && e.startTime - last < 1000 && e.startTime - first < 5000) { win += e.value; last = e.startTime; }
      else { win = e.value; first = last = e.startTime; }
      if (win > cls) { cls = win; send('cls', cls); }
    }
  });
  const interactions = new Map();
  let inp = 0;
  const onEvents = (es) => {
    for (const e of es) {
      if (!e.interactionId) continue;
      const d = Math.max(interactions.get(e.interactionId) || 0, e.duration);
      interactions.set(e.interactionId, d);
      if (d > inp) { inp = d; send('inp', inp); }
    }
  };
  observe('event', onEvents, { durationThreshold: 16 });
  observe('first-input', onEvents);
  window.${VITALS_FLUSH} = () => { for (const [po, onEntries] of observers) onEntries(po.takeRecords()); };
})();`;

/**
 * Keeps the latest value of each vital per document; a run's figure is the worst document
 * in the flow, because an SLO on "the login flow" is broken by its slowest page.
 */
export class VitalsCollector {
  readonly #docs = new Map<string, Partial<Record<Vital, number>>>();
  readonly #pageIds = new WeakMap<Page, number>();
  #pages = 0;

  async install(context: BrowserContext): Promise<void> {
    await Promise.all([
      context.exposeBinding(BINDING, ({ page }, doc: unknown, name: unknown, value: unknown) => {
        this.record(`${this.#pageId(page)}:${String(doc)}`, name, value);
      }),
      context.addInitScript({ content: VITALS_INIT_SCRIPT }),
    ]);
  }

  record(doc: string, name: unknown, value: unknown): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return;
    if (!(VITALS as readonly unknown[]).includes(name)) return;
    const values = this.#docs.get(doc) ?? {};
    values[name as Vital] = value;
    this.#docs.set(doc, values);
  }

  summary(): Partial<Record<Vital, number>> {
    const out: Partial<Record<Vital, number>> = {};
    for (const values of this.#docs.values()) {
      for (const name of VITALS) {
        const v = values[name];
        if (v !== undefined) out[name] = Math.max(out[name] ?? 0, v);
      }
    }
    return out;
  }

  #pageId(page: Page): number {
    const known = this.#pageIds.get(page);
    if (known !== undefined) return known;
    const id = this.#pages++;
    this.#pageIds.set(page, id);
    return id;
  }
}
