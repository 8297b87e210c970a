import type { Result } from '../../core/result.ts';
import { formatDuration } from '../summary.ts';
import { type Html, html } from './escape.ts';

export type VitalRating = 'good' | 'needs-improvement' | 'poor';

interface VitalSpec {
  key: string;
  short: string;
  long: string;
  /** Upper bound of "good" and of "needs improvement"; above the second is poor. */
  good: number;
  poor: number;
  unit: 'ms' | '';
}

// Google's published thresholds (web.dev/articles/vitals), assessed at the 75th percentile.
export const VITALS: readonly VitalSpec[] = [
  {
    key: 'web_vital_lcp',
    short: 'LCP',
    long: 'Largest Contentful Paint',
    good: 2500,
    poor: 4000,
    unit: 'ms',
  },
  { key: 'web_vital_fcp', short: 'FCP', long: 'First Contentful Paint', good: 1800, poor: 3000, unit: 'ms' },
  { key: 'web_vital_cls', short: 'CLS', long: 'Cumulative Layout Shift', good: 0.1, poor: 0.25, unit: '' },
  { key: 'web_vital_inp', short: 'INP', long: 'Interaction to Next Paint', good: 200, poor: 500, unit: 'ms' },
  { key: 'web_vital_ttfb', short: 'TTFB', long: 'Time to First Byte', good: 800, poor: 1800, unit: 'ms' },
];

export const VITAL_KEYS: ReadonlySet<string> = new Set(VITALS.map((v) => v.key));

export function rateVital(spec: Pick<VitalSpec, 'good' | 'poor'>, value: number): VitalRating {
  if (value <= spec.good) return 'good';
  return value <= spec.poor ? 'needs-improvement' : 'poor';
}

const RATING_TEXT: Record<VitalRating, string> = {
  good: 'good',
  'needs-improvement': 'needs improvement',
  poor: 'poor',
};

/** A card per vital with its value, rating and a gauge that shows how far it is from the next band. */
export function vitals(r: Result): Html {
  const present = VITALS.filter((v) => typeof r.metrics?.[v.key] === 'number');
  if (present.length === 0) return html``;
  const cards = present.map((v) => {
    const value = r.metrics![v.key]!;
    const rating = rateVital(v, value);
    const max = v.poor * 1.5;
    const at = Math.min(100, (value / max) * 100);
    const goodW = (v.good / max) * 100;
    const niW = ((v.poor - v.good) / max) * 100;
    const shown =
      v.unit === 'ms' ? formatDuration(value) : value.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
    return html`<div class="vital v-${rating}" title="${v.long}: good ≤ ${fmt(v, v.good)}, poor > ${fmt(v, v.poor)}">
      <div class="v-name"><b>${v.short}</b> ${v.long}</div>
      <div class="v-value">${shown}</div>
      <div class="v-rating">${RATING_TEXT[rating]}</div>
      <div class="gauge"><i class="g-good" style="width:${goodW.toFixed(2)}%"></i><i class="g-ni" style="width:${niW.toFixed(2)}%"></i><i class="g-poor"></i><b style="left:${at.toFixed(2)}%"></b></div>
    </div>`;
  });
  return html`<div class="vitals">${cards}</div>`;
}

function fmt(v: VitalSpec, n: number): string {
  return v.unit === 'ms' ? formatDuration(n) : String(n);
}
