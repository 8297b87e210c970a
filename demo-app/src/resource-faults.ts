import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * Faults that exhaust a resource of the process itself (CPU, memory, the event loop) or slow its
 * database, so the resource alert rules can be drilled without depending on outside load.
 */
export const RESOURCE_FAULT_KINDS = ['cpu-burn', 'memory-hog', 'event-loop-block', 'slow-db'] as const;
export type ResourceFaultKind = (typeof RESOURCE_FAULT_KINDS)[number];

export interface ResourceFaultParams {
  'cpu-burn': { threads: number };
  'memory-hog': { mb: number };
  'event-loop-block': { blockMs: number; everyMs: number };
  'slow-db': { delayMs: number; route?: string };
}

/** A running effect: `ready` settles once it is in place (memory held, threads spinning); `stop` ends it. */
export interface ResourceEffect {
  ready: Promise<void>;
  stop(): Promise<void>;
}

// Plain JavaScript evaluated in the worker, with no loader: the app's own tsx hooks would cost
// each worker ~100 ms of start-up and tens of MB for nothing. Each worker also stops by itself
// at the fault's expiry, so even a main thread too busy to run its timers cannot keep it alive.
const CPU_BURN_WORKER = `
const { workerData } = require('node:worker_threads');
let x = 0;
while (Date.now() < workerData.until) for (let i = 0; i < 5e6; i++) x ^= i;
`;

// Chunks of 64 MiB: glibc raises its mmap threshold to at most 32 MiB after frees, so anything
// larger is always mmapped and its pages go straight back to the OS when the worker ends.
// fill() touches every page; an untouched allocation would not count in RSS at all.
const MEMORY_HOG_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const CHUNK = 64 * 2 ** 20;
const held = [];
try {
  for (let left = workerData.mb * 2 ** 20; left > 0; left -= CHUNK) {
    const chunk = Buffer.allocUnsafeSlow(Math.min(CHUNK, left));
    chunk.fill(0xa5);
    held.push(chunk);
  }
  parentPort.postMessage({ held: held.length });
} catch (err) {
  parentPort.postMessage({ error: String((err && err.message) || err) });
}
setTimeout(() => process.exit(0), Math.max(0, workerData.until - Date.now()));
`;

function worker(code: string, workerData: Record<string, number>): Worker {
  const w = new Worker(code, { eval: true, execArgv: [], workerData });
  // A fault must never be what keeps a closing app alive.
  w.unref();
  return w;
}

/** Resolves once the worker runs; rejects if it dies first. */
function online(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    w.once('online', resolve);
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it started`)));
  });
}

/**
 * Spinning worker threads: process CPU (`process_cpu_seconds_total` counts every thread) rises by
 * up to one core per thread while the event loop stays free to answer scrapes.
 */
function cpuBurn({ threads }: ResourceFaultParams['cpu-burn'], until: number): ResourceEffect {
  const workers = Array.from({ length: threads }, () => worker(CPU_BURN_WORKER, { until }));
  return {
    ready: Promise.all(workers.map(online)).then(() => {}),
    stop: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Memory held by a worker thread. Releasing it by terminating the worker frees every buffer at
 * once: without `global.gc`, buffers merely dropped on the main thread stay resident until some
 * later major GC, and RSS would say the fault is still on.
 */
function memoryHog({ mb }: ResourceFaultParams['memory-hog'], until: number): ResourceEffect {
  const w = worker(MEMORY_HOG_WORKER, { mb, until });
  const ready = new Promise<void>((resolve, reject) => {
    w.once('message', (m: { held?: number; error?: string }) =>
      m.error ? reject(new Error(`could not allocate ${mb} MiB: ${m.error}`)) : resolve(),
    );
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before holding ${mb} MiB`)));
  });
  return {
    ready,
    stop: async () => {
      await w.terminate();
    },
  };
}

/**
 * Synchronous stalls of the main thread, as a long JSON.parse or a sync crypto call would cause.
 * `Atomics.wait` stalls without burning CPU, so this fault moves the event-loop lag and nothing
 * else (HighCpuUsage stays quiet). The first stall comes at once, not one period after injection.
 */
function eventLoopBlock(
  { blockMs, everyMs }: ResourceFaultParams['event-loop-block'],
  until: number,
): ResourceEffect {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let timer: NodeJS.Timeout | undefined;
  const block = () => {
    if (Date.now() >= until) return clearInterval(timer);
    Atomics.wait(cell, 0, 0, blockMs);
  };
  const first = setImmediate(block);
  timer = setInterval(block, everyMs).unref();
  return {
    ready: Promise.resolve(),
    stop: async () => {
      clearImmediate(first);
      clearInterval(timer);
    },
  };
}

/** Starts the effect of a resource fault that has one; `slow-db` acts per request instead (dbFaultHook). */
export function startResourceEffect(
  kind: ResourceFaultKind,
  params: ResourceFaultParams[ResourceFaultKind],
  untilMs: number,
): ResourceEffect | undefined {
  switch (kind) {
    case 'cpu-burn':
      return cpuBurn(params as ResourceFaultParams['cpu-burn'], untilMs);
    case 'memory-hog':
      return memoryHog(params as ResourceFaultParams['memory-hog'], untilMs);
    case 'event-loop-block':
      return eventLoopBlock(params as ResourceFaultParams['event-loop-block'], untilMs);
    default:
      return undefined;
  }
}

/** Per request: how long it waited for the database, not yet charged to a query. */
const dbWait = new AsyncLocalStorage<{ waitedMs: number }>();

/**
 * The wait a slow-db fault imposed on the current request, charged once, to the request's first
 * query (in seconds). `Db.timed` adds it to what it observes: the query took that long as the app
 * saw it, the way a query behind a lock or a starved connection pool does.
 */
export function takeDbWaitSeconds(): number {
  const store = dbWait.getStore();
  if (!store || store.waitedMs === 0) return 0;
  const s = store.waitedMs / 1000;
  store.waitedMs = 0;
  return s;
}

/**
 * preHandler hook for slow-db faults: the request waits `delayMs` (asynchronously) before its
 * handler runs any query. better-sqlite3 is synchronous, so sleeping inside the query itself would
 * stall the event loop and fire EventLoopLag too; this way only the database looks slow.
 * Callback style, so that the handler runs inside the context `takeDbWaitSeconds` reads.
 */
export function dbFaultHook(
  delayFor: (route: string) => number,
  shutdown: AbortSignal,
): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  return (request, _reply, done) => {
    const route = request.routeOptions.url;
    const delayMs = route === undefined ? 0 : delayFor(route);
    if (delayMs <= 0) return done();
    request.log.debug({ event: 'fault_applied', fault_kind: 'slow-db', delay_ms: delayMs }, 'slow-db fault');
    const started = Date.now();
    sleep(delayMs, undefined, { signal: shutdown })
      .catch(() => {})
      .then(() => dbWait.run({ waitedMs: Date.now() - started }, () => done()));
  };
}
