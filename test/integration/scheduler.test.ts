import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import { type CliProcess, startCli, stopChild } from '../fixtures/probes-integration/cli.ts';
import { promQuery, type TestStack, testStack, waitFor } from './stack-env.ts';

// The scheduler's promise, on the real stack: `firedrill schedule` runs for about a minute with a
// probe that hangs past its timeout, one that crashes its own renderer and one that throws, and
// the every-second probe beside them keeps its schedule. Read back the way a dashboard would:
// PromQL against the stack's Prometheus, which scrapes the daemon as job "firedrill".

/** How long the daemon runs before the numbers are read; the whole test stays under 90 s. */
const RUN_MS = 55_000;
/** Longest probe timeout among the fixtures (page-crash) plus the CLI's 2 s exit grace. */
const DRAIN_BOUND_MS = 10_000 + 2_000;
const PROBES_DIR = path.join('test', 'fixtures', 'probes-integration', 'probes');
/** One routing-only drill on a 20 s schedule: a nightly drill, sped up. */
const DRILLS_DIR = path.join('test', 'fixtures', 'probes-integration', 'drills');
const DRILL = 'scheduled-routing';

let stack: TestStack;
let tmp: string;
let daemon: CliProcess | undefined;
/** The daemon's own series, on the port the stack reserved for it (pushed ones are job "firedrill-push"). */
let SCHED = '';

beforeAll(async () => {
  stack = await testStack();
  SCHED = `job="firedrill",instance=~".+:${stack.urls.firedrillMetricsPort}"`;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'firedrill-schedule-it-'));
});

afterAll(async () => {
  await stopChild(daemon);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface LogLine {
  msg: string;
  url?: string;
  started?: number;
  skipped?: number;
  finished?: number;
}

function logLines(p: CliProcess): LogLine[] {
  const { stdout, stderr } = p.output();
  return `${stdout}\n${stderr}`
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

const q = (expr: string) => promQuery(stack.urls, expr);

function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

describe('firedrill schedule on the local stack', () => {
  it('keeps an every-second probe on time beside a hanging, a page-crashing and a throwing probe and a scheduled drill; Prometheus reads it all', async () => {
    const resultsFile = path.join(tmp, 'results.jsonl');
    // No --port: a stack environment serves on the stack's reserved port, which Prometheus scrapes.
    daemon = startCli(
      stack.root,
      ['schedule', '--probes', PROBES_DIR, '--drills', DRILLS_DIR, '--results', resultsFile],
      RUN_MS + 30_000,
    );
    const d = daemon;
    try {
      const listening = await waitFor(
        'the scheduler to listen',
        async () => logLines(d).find((l) => l.msg === 'listening'),
        20_000,
        100,
      );
      const listenedAt = Date.now();
      expect(new URL(listening.url!).port).toBe(String(stack.urls.firedrillMetricsPort));
      const health = (await (await fetch(`${listening.url}/healthz`)).json()) as {
        ok: boolean;
        probes: number;
      };
      expect(health).toMatchObject({ ok: true, probes: 4, drills: 1 });

      const up = await waitFor('up{job="firedrill"} == 1', async () => {
        const v = await q(`up{${SCHED}}`);
        return v === 1 ? v : undefined;
      });
      expect(up).toBe(1);

      await new Promise((r) => setTimeout(r, Math.max(0, RUN_MS - (Date.now() - listenedAt))));
      const windowEnd = Date.now();

      // A scrape taken after the window, so the counters cover all of it.
      const scrapedAt = await waitFor('a scrape after the run window', async () => {
        const t = await q(`max(timestamp(firedrill_runs_total{${SCHED},probe="tick"}))`);
        return t !== undefined && t * 1000 >= windowEnd ? t * 1000 : undefined;
      });
      const tickRuns = (await q(`sum(firedrill_runs_total{${SCHED},probe="tick"})`)) ?? 0;
      const tickPasses = (await q(`sum(firedrill_runs_total{${SCHED},probe="tick",result="pass"})`)) ?? 0;
      const hangSkipped = (await q(`sum(firedrill_skipped_runs_total{${SCHED},probe="hang"})`)) ?? 0;
      const hangRuns = (await q(`sum(firedrill_runs_total{${SCHED},probe="hang"})`)) ?? 0;
      const crashRuns =
        (await q(`sum(firedrill_runs_total{${SCHED},probe="page-crash",kind="browser"})`)) ?? 0;
      const success = Object.fromEntries(
        await Promise.all(
          ['tick', 'hang', 'page-crash', 'throws'].map(
            async (p) => [p, await q(`probe_success{${SCHED},probe="${p}"}`)] as const,
          ),
        ),
      );
      const upAtEnd = await q(`up{${SCHED}}`);
      const D = `${SCHED},drill="${DRILL}"`;
      const drillNotifyCount = (await q(`sum(firedrill_drill_hop_seconds_count{${D},hop="notify"})`)) ?? 0;
      const drillPasses = (await q(`sum(firedrill_drill_runs_total{${D},result="pass"})`)) ?? 0;
      const drillLastPass = await q(`firedrill_drill_last_result{${D},result="pass"}`);
      const drillLastAt = await q(`firedrill_drill_last_run_timestamp_seconds{${D}}`);
      const drillNotifyP50 = await q(
        `histogram_quantile(0.5, sum by (le) (firedrill_drill_hop_seconds_bucket{${D},hop="notify"}))`,
      );
      const lateP99 = await q(
        `histogram_quantile(0.99, sum by (le) (firedrill_schedule_lateness_seconds_bucket{${SCHED}}))`,
      );

      // Every second from the first tick to the scrape is one run of the healthy probe.
      const seconds = (scrapedAt - listenedAt) / 1000;
      process.stderr.write(
        `[scheduler] PromQL after ${seconds.toFixed(1)} s: tick runs ${tickRuns} (pass ${tickPasses}), hang runs ${hangRuns} skipped ${hangSkipped}, page-crash runs ${crashRuns}, lateness p99 (all probes, histogram) ${lateP99 === undefined ? 'n/a' : `${(lateP99 * 1000).toFixed(1)} ms`}\n`,
      );
      // Counted on the pass series: the stack's TSDB outlives `stack down`, so a `result="fail"`
      // series left by an earlier run on the same port can still be inside the 5-minute lookback.
      expect(tickPasses).toBeGreaterThanOrEqual(Math.floor(seconds) - 3);
      expect(tickPasses).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
      // Whether every tick passed is checked on results.jsonl below, where a failure names its error.
      expect(tickPasses).toBeGreaterThan(0);
      expect(hangSkipped).toBeGreaterThan(0);
      // A 2 s hang on a 1 s schedule: at most one run per two ticks, the rest skipped.
      expect(hangRuns).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);
      expect(hangRuns + hangSkipped).toBeGreaterThanOrEqual(Math.floor(seconds) - 3);
      expect(crashRuns).toBeGreaterThanOrEqual(Math.floor(seconds / 5) - 2);
      expect(success).toEqual({ tick: 1, hang: 0, 'page-crash': 0, throws: 0 });
      expect(upAtEnd).toBe(1);
      process.stderr.write(
        `[scheduler] drill ${DRILL}: notify hop samples ${drillNotifyCount}, passes ${drillPasses}, notify p50 (histogram) ${drillNotifyP50?.toFixed(2)} s\n`,
      );
      // Ticks at :00, :20 and :40: at least two runs in 55 s, each measuring its notify hop.
      expect(drillNotifyCount).toBeGreaterThanOrEqual(2);
      expect(drillPasses).toBeGreaterThanOrEqual(2);
      expect(drillLastPass).toBe(1);
      expect(drillLastAt! * 1000).toBeGreaterThan(listenedAt);

      const termAt = Date.now();
      d.child.kill('SIGTERM');
      const exit = await d.done;
      const drainMs = Date.now() - termAt;
      process.stderr.write(`[scheduler] SIGTERM to exit: ${drainMs} ms\n`);
      expect(exit.code, exit.stderr).toBe(0);
      expect(drainMs).toBeLessThan(DRAIN_BOUND_MS);

      const stopped = logLines(d).find((l) => l.msg === 'stopped');
      expect(stopped, 'the daemon logs its stats when stopped').toBeDefined();
      const lines = (await readFile(resultsFile, 'utf8')).trim().split('\n');
      const all = lines.map((l) => JSON.parse(l) as Result);
      const results = all.filter((r) => r.kind !== 'drill');
      // Every run that started finished (drained), and every finished run is one line.
      expect(stopped!.finished).toBe(stopped!.started);
      expect(results).toHaveLength(stopped!.finished!);
      const drillRuns = all.filter((r) => r.kind === 'drill');
      expect(drillRuns.length).toBeGreaterThanOrEqual(drillPasses);
      // A drill still running at SIGTERM is rolled back and recorded as interrupted, never lost.
      for (const r of drillRuns.slice(0, -1)) expect(r.status, r.error?.message).toBe('pass');
      expect(stopped!.skipped).toBeGreaterThanOrEqual(hangSkipped);

      const byProbe = (id: string) => results.filter((r) => r.id === id);
      const ticks = byProbe('tick');
      const badTicks = ticks
        .filter((r) => r.status !== 'pass' || r.probeKind !== 'http')
        .map(
          (r) => `${new Date(r.start).toISOString()} ${r.status} (${r.probeKind}): ${r.error?.message ?? ''}`,
        );
      if (badTicks.length) process.stderr.write(`[scheduler] failed ticks:\n${badTicks.join('\n')}\n`);
      expect(badTicks, 'the healthy probe failed').toEqual([]);
      // Prometheus scraped after the window, so it saw every tick the daemon finished by then.
      expect(Math.abs(tickPasses - ticks.length)).toBeLessThanOrEqual(2);
      for (const r of byProbe('hang')) {
        expect(r.status).toBe('error');
        expect(r.error?.type).toBe('timeout');
        expect(r.durationMs).toBeLessThan(3_000);
      }
      expect(
        byProbe('throws').every(
          (r) => r.status === 'fail' && r.error?.message === 'this probe always throws',
        ),
      ).toBe(true);
      const crashes = byProbe('page-crash');
      expect(crashes.length).toBeGreaterThan(0);
      for (const r of crashes) {
        expect(r.status).not.toBe('pass');
        expect(r.probeKind).toBe('browser');
      }
      // The page died, the browser did not: runs got a fresh page, loaded it, and their crash is
      // recorded as the browser's error, never the app's failure. Now and then (3 of ~7 suite
      // runs) a fresh page's first navigation right after a crash also dies ("Target page,
      // context or browser has been closed", or net::ERR_ABORTED with no crash event), and that
      // run still reads as a plain fail: a known gap, left to the probe-isolation issue (14).
      const loaded = crashes.filter((r) => r.steps[0]?.status === 'pass');
      expect(loaded.length, JSON.stringify(crashes.map((r) => r.steps[0]))).toBeGreaterThan(0);
      for (const r of loaded) {
        const broken = r.steps.find((s) => s.status !== 'pass');
        expect(broken?.error?.type, JSON.stringify(broken)).toBe('browser-crash');
        expect(r.status).toBe('error');
      }
      for (const r of loaded) expect(r.frontendErrors?.some((e) => e.startsWith('PageCrash'))).toBe(true);

      // Lateness of the healthy probe from its own results: cron fires on whole seconds.
      const starts = ticks.map((r) => r.start).sort((a, b) => a - b);
      const late = starts.map((s) => s % 1000).sort((a, b) => a - b);
      const slots = new Set(starts.map((s) => Math.floor(s / 1000)));
      const span = Math.floor(starts.at(-1)! / 1000) - Math.floor(starts[0]! / 1000) + 1;
      process.stderr.write(
        `[scheduler] results.jsonl: ${results.length} lines (tick ${ticks.length}, hang ${byProbe('hang').length}, page-crash ${crashes.length}, throws ${byProbe('throws').length}); tick lateness p50 ${quantile(late, 0.5)} ms, p99 ${quantile(late, 0.99)} ms, max ${late.at(-1)} ms; ${span - slots.size} of ${span} seconds without a tick run; stats ${JSON.stringify({ started: stopped!.started, skipped: stopped!.skipped, finished: stopped!.finished })}\n`,
      );
      // Not one second missed; a start later than this means the others held the event loop.
      expect(span - slots.size).toBeLessThanOrEqual(1);
      expect(quantile(late, 0.99)).toBeLessThan(500);
    } finally {
      await stopChild(d);
    }
  }, 100_000);
});
