/** Profiles of the monitoring config: `fast` for tests and demos (1 s scrape and evaluation), `default` for production. */
export const PROFILES = ['fast', 'default'] as const;
export type Profile = (typeof PROFILES)[number];

export function assertProfile(profile: string): asserts profile is Profile {
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new Error(`unknown profile ${JSON.stringify(profile)} (expected one of: ${PROFILES.join(', ')})`);
  }
}

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** Seconds in a Prometheus duration: `0s`, `10s`, `5m`, `3m45s`, `1h30m`. */
export function durationSeconds(duration: string): number {
  const parts = [...duration.matchAll(/(\d+)(ms|d|h|m|s)/g)];
  const units = parts.map((p) => p[2]!);
  const ordered = units.every((u, i) => i === 0 || order(u) > order(units[i - 1]!));
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration || !ordered) {
    throw new Error(`invalid duration ${JSON.stringify(duration)} (expected e.g. 0s, 10s, 5m, 1h30m)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0);
}

const order = (unit: string) => Object.keys(UNIT_SECONDS).indexOf(unit);

/**
 * Increase of a counter over `window` that also counts series born inside the window.
 *
 * `increase()` needs two samples of a series, so the first increments of a new series are lost:
 * prom-client creates `http_requests_total{status_code="500"}` only at the first 5xx, and a burst
 * of failures inside one scrape interval would never show up at all. A series that exists now but
 * did not exist `window` ago started from zero, so its current value *is* its increase — but only
 * when the target was already being scraped back then; otherwise Prometheus itself is new (just
 * started) and every lifetime counter would look like a fresh burst. After an app restart the old
 * series went stale while `up` kept being recorded, so the reset counters count in full, as they should.
 */
export function increaseWithNewSeries(selector: string, window: string, job: string): string {
  const up = `up{job="${job}"}`;
  return (
    `(\n  (${selector} unless ${selector} offset ${window})\n  and on (job, instance) ${up} offset ${window}\n)\n` +
    `or increase(${selector}[${window}])`
  );
}
