/**
 * Slack-style rate limiting for one sink instance, so firedrill's Retry-After handling is
 * exercised against a real HTTP 429 rather than a mocked one.
 */

/** `perMinute` as Slack's docs state tiers, or an explicit window for fast tests. */
export type RateLimitRule = { perMinute: number } | { limit: number; windowMs: number };

/**
 * Keyed by Web API method (`conversations.history`, `chat.postMessage`, …) or
 * `incoming-webhook` (counted per channel, as Slack limits each webhook).
 *
 * @example { 'conversations.history': { perMinute: 1 } }
 */
export type RateLimitConfig = Partial<Record<string, RateLimitRule>>;

export type RateLimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  // Accepted request times per bucket; a sliding window, so a burst cannot straddle a boundary.
  readonly #accepted = new Map<string, number[]>();

  constructor(private readonly config: RateLimitConfig = {}) {}

  take(ruleKey: string, bucket: string = ruleKey, now: number = Date.now()): RateLimitDecision {
    const rule = this.config[ruleKey];
    if (!rule) return { ok: true };
    const { limit, windowMs } = 'perMinute' in rule ? { limit: rule.perMinute, windowMs: 60_000 } : rule;
    const key = `${ruleKey}\u0000${bucket}`;
    const times = (this.#accepted.get(key) ?? []).filter((t) => t > now - windowMs);
    if (times.length >= limit) {
      this.#accepted.set(key, times);
      const freeAt = times[0]! + windowMs;
      // Slack sends whole seconds and never 0: a client must always actually wait.
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    }
    times.push(now);
    this.#accepted.set(key, times);
    return { ok: true };
  }
}
