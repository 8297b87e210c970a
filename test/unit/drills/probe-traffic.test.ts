import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Timeline } from '../../../packages/firedrill/src/core/timeline.ts';
import type { DrillEnvironment } from '../../../packages/firedrill/src/drills/environment.ts';
import { createDrillTraffic, ProbeTraffic } from '../../../packages/firedrill/src/drills/probe-traffic.ts';
import { TrafficRunner } from '../../../packages/firedrill/src/drills/traffic.ts';
import { FAULT_TOKEN, startApp, type TestApp } from '../demo-app/helpers.ts';

// The shipped `api` probe (probes/api.probe.ts) against the real reference app, run as drill traffic.
const root = path.resolve(import.meta.dirname, '../../..');
let app: TestApp;
let env: DrillEnvironment;

beforeAll(async () => {
  app = await startApp();
  env = {
    name: 'test',
    baseUrl: app.url,
    allowFaults: true,
    production: false,
    credentials: { username: 'demo', password: 'demo-password' },
    slackChannels: [],
    stack: false,
  };
});
afterEach(async () => {
  await app.request('/__faults', { method: 'DELETE', token: FAULT_TOKEN });
});
afterAll(async () => {
  await app.close();
});

function traffic(spec: { probe: string; everyMs?: number; maxRuns?: number }) {
  const ids: string[] = [];
  const timeline = new Timeline({ id: 'd', runId: 'd-1' });
  const t = new ProbeTraffic(spec, env, {
    root,
    runId: 'd-1',
    timeline,
    logger: pino({ enabled: false }),
    artifactsDir: mkdtempSync(path.join(tmpdir(), 'probe-traffic-')),
    recordRequestId: (id) => ids.push(id),
  });
  return { t, ids, timeline };
}

describe('probe traffic', () => {
  it('is what a spec naming a probe builds; a spec with requests still gets plain requests', () => {
    const ctx = {
      root,
      runId: 'r',
      timeline: new Timeline({ id: 'd', runId: 'r' }),
      logger: pino({ enabled: false }),
      artifactsDir: tmpdir(),
      recordRequestId: () => {},
    };
    expect(createDrillTraffic({ probe: 'api' }, env, ctx)).toBeInstanceOf(ProbeTraffic);
    expect(createDrillTraffic({ requests: [{ path: '/healthz' }] }, env, ctx)).toBeInstanceOf(TrafficRunner);
  });

  it('names the probes there are when the one asked for is not among them', async () => {
    const { t } = traffic({ probe: 'nope' });
    const b = await t.baseline(new AbortController().signal);
    expect(b.ok).toBe(false);
    expect(b.problems).toHaveLength(1);
    expect(b.problems[0]).toMatch(/^no probe "nope" in probes\/ \(have: (.+, )?api(, .+)?\)$/);
  });

  it('runs the probe every everyMs until stopped, and records every request id its runs sent', async () => {
    const { t, ids } = traffic({ probe: 'api', everyMs: 300 });
    expect((await t.baseline(new AbortController().signal)).ok).toBe(true);
    // The steady-state run's requests are not the drill's: only what runs during the fault counts.
    expect(ids).toEqual([]);
    t.start(new AbortController().signal);
    await sleep(1400);
    const tally = await t.stop();
    expect(tally.sent).toBeGreaterThanOrEqual(2);
    expect(tally.sent).toBeLessThanOrEqual(6);
    expect(tally).toMatchObject({ bad: 0, errors: 0, byStatus: { pass: tally.sent } });
    // log in, create, read, list, delete: five requests a run, each logged by the app under its id.
    expect(ids.length).toBeGreaterThanOrEqual(5 * tally.sent);
    // The app writes a request's log line after answering it: the last one may land a moment later.
    const unlogged = () => {
      const logged = new Set(app.logs().map((l) => l.request_id));
      return ids.filter((id) => !logged.has(id));
    };
    for (let i = 0; i < 20 && unlogged().length > 0; i++) await sleep(100);
    expect(unlogged()).toEqual([]);
  });

  it('a run the fault breaks is the first bad sample, at the start of the step that failed', async () => {
    const { t, timeline } = traffic({ probe: 'api', everyMs: 200 });
    expect((await t.baseline(new AbortController().signal)).ok).toBe(true);
    const fault = await app.request('/__faults', {
      method: 'POST',
      token: FAULT_TOKEN,
      json: { kind: 'error-rate', rate: 1, route: '/api/items', ttlSeconds: 30 },
    });
    expect(fault.status).toBe(201);
    t.start(new AbortController().signal);
    const bad = await t.waitForBad(Date.now() + 10_000, new AbortController().signal);
    const tally = await t.stop();
    expect(bad).toMatchObject({ path: 'probe api › create item', error: expect.stringContaining('500') });
    expect(tally.bad).toBeGreaterThanOrEqual(1);
    expect(tally.byStatus.fail).toBe(tally.bad);
    expect(timeline.marks.firstBadSample).toBe(bad!.at - bad!.durationMs);
    expect(timeline.events.map((e) => e.event)).toContain('first bad sample');
  });

  it('never runs more than maxRuns', async () => {
    const { t } = traffic({ probe: 'api', everyMs: 100, maxRuns: 2 });
    await t.baseline(new AbortController().signal);
    t.start(new AbortController().signal);
    await sleep(1500);
    expect((await t.stop()).sent).toBe(2);
  });
});
