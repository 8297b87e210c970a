import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_TOKEN, metricValue, scrape, startApp, type TestApp } from './helpers.ts';

// The app runs in this test process, so the process's own counters are the app's: CPU from
// process.cpuUsage(), RSS from process.memoryUsage(), threads from /proc/self/task. Thresholds
// leave room for a shared 2-core box where other programs take most of the CPU.

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startApp();
  token = await app.login();
});
afterEach(async () => {
  await app.request('/__faults', { method: 'DELETE', token: FAULT_TOKEN });
});
afterAll(async () => {
  await app.close();
});

async function inject(json: Record<string, unknown>): Promise<{ id: string; params: unknown }> {
  const response = await app.request('/__faults', { method: 'POST', token: FAULT_TOKEN, json });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; params: unknown };
}

async function clear(id: string): Promise<void> {
  expect((await app.request(`/__faults/${id}`, { method: 'DELETE', token: FAULT_TOKEN })).status).toBe(204);
}

/** Cores the whole process used over `ms` of wall time. */
async function coresOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const started = performance.now();
  await sleep(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - started);
}

const threads = () => readdirSync('/proc/self/task').length;
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

async function timedGet(path: string, init: Parameters<TestApp['request']>[1] = {}) {
  const started = performance.now();
  const response = await app.request(path, init);
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/** The event loop's worst delay in this process while `fn` runs. */
async function loopDelayDuring(fn: () => Promise<unknown>): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    await fn();
  } finally {
    h.disable();
  }
  return h.max / 1e6;
}

describe('cpu-burn', () => {
  it('spins worker threads that raise process CPU while the event loop still answers; clear ends them', async () => {
    const idleThreads = threads();
    const idle = await coresOver(1000);
    const fault = await inject({ kind: 'cpu-burn', ttlSeconds: 30 });
    expect(fault.params).toEqual({ threads: 2 });
    expect(threads()).toBe(idleThreads + 2);
    let burning = 0;
    const lag = await loopDelayDuring(async () => {
      burning = await coresOver(1500);
    });
    expect(burning).toBeGreaterThan(idle + 0.15);
    expect(lag).toBeLessThan(500);
    expect((await timedGet('/metrics')).ms).toBeLessThan(1000);
    expect(metricValue(await scrape(app), 'app_faults_active', { kind: 'cpu-burn' })).toBe(1);

    await clear(fault.id);
    // DELETE answers once the workers are gone, not merely asked to stop.
    expect(threads()).toBe(idleThreads);
    expect(await coresOver(1000)).toBeLessThan(idle + 0.15);
    await app.waitForLog((l) => l.event === 'fault_cleared' && l.fault_id === fault.id);
  });

  it('ends its threads by itself at the TTL', async () => {
    const idleThreads = threads();
    const fault = await inject({ kind: 'cpu-burn', ttlSeconds: 1, threads: 1 });
    expect(threads()).toBe(idleThreads + 1);
    await app.waitForLog((l) => l.event === 'fault_expired' && l.fault_id === fault.id, 3000);
    const deadline = Date.now() + 2000;
    while (threads() > idleThreads && Date.now() < deadline) await sleep(50);
    expect(threads()).toBe(idleThreads);
  });
});

describe('memory-hog', () => {
  it('holds touched memory (RSS grows by about mb) until cleared, then gives it back at once', async () => {
    const before = rssMb();
    const fault = await inject({ kind: 'memory-hog', ttlSeconds: 30, mb: 300 });
    // POST answers once the memory is held: the drill's injection time is when RSS is up.
    expect(rssMb() - before).toBeGreaterThan(280);
    expect(
      metricValue(await scrape(app), 'process_resident_memory_bytes')! / 2 ** 20 - before,
    ).toBeGreaterThan(280);
    expect((await timedGet('/healthz')).ms).toBeLessThan(1000);

    await clear(fault.id);
    expect(rssMb() - before).toBeLessThan(50);
  });

  it('gives the memory back by itself at the TTL', async () => {
    const before = rssMb();
    const fault = await inject({ kind: 'memory-hog', ttlSeconds: 1, mb: 200 });
    expect(rssMb() - before).toBeGreaterThan(180);
    await app.waitForLog((l) => l.event === 'fault_expired' && l.fault_id === fault.id, 3000);
    const deadline = Date.now() + 2000;
    while (rssMb() - before > 50 && Date.now() < deadline) await sleep(50);
    expect(rssMb() - before).toBeLessThan(50);
  });
});

describe('event-loop-block', () => {
  it('stalls the event loop on a timer: lag p99 rises, scrapes still answer; clear ends it', async () => {
    const fault = await inject({ kind: 'event-loop-block', ttlSeconds: 30, blockMs: 250, everyMs: 500 });
    const lag = await loopDelayDuring(() => sleep(1200));
    expect(lag).toBeGreaterThan(200);
    const metrics = await timedGet('/metrics');
    expect(metrics.status).toBe(200);
    // At worst one stall stands between a scrape and its answer.
    expect(metrics.ms).toBeLessThan(900);
    // A window of one period and a bit always holds a stall: what Prometheus sees at 1 s scrapes.
    await scrape(app);
    await sleep(700);
    expect(metricValue(await scrape(app), 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0.2);

    await clear(fault.id);
    expect(await loopDelayDuring(() => sleep(1200))).toBeLessThan(200);
  });
});

describe('slow-db', () => {
  it('makes API requests wait for the database, charged to their first query; the event loop stays free', async () => {
    const opSum = async () =>
      metricValue(await scrape(app), 'db_query_duration_seconds_sum', { operation: 'sessions.find_user' }) ??
      0;
    const before = await opSum();
    const fault = await inject({ kind: 'slow-db', ttlSeconds: 30, delayMs: 300 });
    let results: { status: number; ms: number }[] = [];
    const lag = await loopDelayDuring(async () => {
      results = await Promise.all(Array.from({ length: 4 }, () => timedGet('/api/items', { token })));
    });
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.ms).toBeGreaterThanOrEqual(290);
    }
    // Four requests waited 300 ms each, and a blocking sleep would have stalled the loop 1.2 s.
    expect((await opSum()) - before).toBeGreaterThanOrEqual(4 * 0.29);
    expect(lag).toBeLessThan(250);
    expect((await timedGet('/healthz')).ms).toBeLessThan(250);
    expect((await timedGet('/metrics')).ms).toBeLessThan(250);
    // A request with a body too: the wait comes after parsing it, and still lands on its first query.
    const loginOp = { operation: 'users.find_by_username' };
    const loginBefore = metricValue(await scrape(app), 'db_query_duration_seconds_sum', loginOp) ?? 0;
    await app.login();
    const loginAfter = metricValue(await scrape(app), 'db_query_duration_seconds_sum', loginOp) ?? 0;
    expect(loginAfter - loginBefore).toBeGreaterThanOrEqual(0.29);

    await clear(fault.id);
    const after = await opSum();
    expect((await timedGet('/api/items', { token })).ms).toBeLessThan(250);
    expect((await opSum()) - after).toBeLessThan(0.1);
  });
});
