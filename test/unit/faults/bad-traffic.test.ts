import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_TRAFFIC_LIMITS,
  badRequest,
  badTraffic,
  createBadTrafficFault,
} from '../../../packages/firedrill/src/faults/bad-traffic.ts';
import type { FaultContext } from '../../../packages/firedrill/src/faults/types.ts';
import { startApp, type TestApp } from '../demo-app/helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const metric = async (name: string) => {
  const text = await (await app.request('/metrics')).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
};

describe('bad traffic against the real app', () => {
  it.each([
    ['failed-logins', 'login_attempts_total{result="failure"}', 401],
    ['suspicious', 'suspicious_requests_total', 400],
  ] as const)(
    '%s: bounded count, every request id recorded, the app counts them',
    async (kind, counter, status) => {
      const before = await metric(counter);
      const ids: string[] = [];
      const ctx: FaultContext = {
        target: { baseUrl: app.url },
        drillId: 'd',
        runId: `d-${kind}`,
        signal: new AbortController().signal,
        logger: pino({ enabled: false }),
        recordRequestId: (id) => ids.push(id),
      };
      const fault = createBadTrafficFault(badTraffic({ kind, ratePerSec: 20, durationSec: 0.5 }));
      const injected = await fault.inject(ctx);
      expect(injected.detail).toMatchObject({ total: 10 });
      await new Promise((r) => setTimeout(r, 1500));
      const out = await fault.rollback(ctx);
      expect(ids).toHaveLength(10);
      expect(ids[0]).toBe(`d-${kind}-bad-0`);
      expect(out.detail).toMatch(new RegExp(`^stopped after 10 requests \\(\\d+×${status}`));
      expect((await metric(counter)) - before).toBe(10);
    },
  );

  it('caps rate, duration and count whatever the spec says', () => {
    const f = createBadTrafficFault(
      badTraffic({ kind: 'suspicious', ratePerSec: 10_000, durationSec: 10_000 }),
    );
    expect(f.describe()).toBe(
      `bad traffic suspicious: ${BAD_TRAFFIC_LIMITS.maxRatePerSec}/s for ${BAD_TRAFFIC_LIMITS.maxDurationSec}s (${BAD_TRAFFIC_LIMITS.maxRequests} requests max)`,
    );
  });

  it('stops at once on rollback', async () => {
    const ctx: FaultContext = {
      target: { baseUrl: app.url },
      drillId: 'd',
      runId: 'd-stop',
      signal: new AbortController().signal,
      logger: pino({ enabled: false }),
      recordRequestId: () => {},
    };
    const f = createBadTrafficFault(badTraffic({ kind: 'suspicious', ratePerSec: 5, durationSec: 60 }));
    await f.inject(ctx);
    const started = Date.now();
    await f.rollback(ctx);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rotates the suspicious patterns the app detects', () => {
    expect([0, 1, 2].map((n) => badRequest('suspicious', n).path)).toHaveLength(3);
  });
});
