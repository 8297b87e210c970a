import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Result } from '../core/result.ts';
import type { Timeline } from '../core/timeline.ts';
import type { ProbeDefinition, ResolvedEnvironment } from '../probes/define.ts';
import type { ProbeRunner } from '../probes/runner.ts';
import type { ProbeTrafficSpec, TrafficSpec } from './define.ts';
import type { DrillEnvironment } from './environment.ts';
import {
  type DrillTraffic,
  markFirstBad,
  TrafficRunner,
  type TrafficSample,
  type TrafficTally,
  waitForBadSample,
} from './traffic.ts';

export interface TrafficContext {
  /** Project root: probes are loaded from `<root>/probes`. */
  root: string;
  runId: string;
  timeline: Timeline;
  logger: Logger;
  /** Where a browser probe's failure screenshots go. */
  artifactsDir: string;
  recordRequestId(id: string): void;
}

/** The drill's traffic as its spec asks: plain requests, or a probe run again and again. */
export function createDrillTraffic(
  spec: TrafficSpec,
  env: DrillEnvironment,
  ctx: TrafficContext,
): DrillTraffic {
  return 'probe' in spec
    ? new ProbeTraffic(spec, env, ctx)
    : new TrafficRunner(spec, env, ctx.runId, ctx.timeline, (id) => ctx.recordRequestId(id));
}

const DEFAULTS = { everyMs: 1000, maxRuns: 200 };

/**
 * A probe from `probes/` as drill traffic: run once for the steady state, then again every
 * `everyMs` (never overlapping, never past `maxRuns`) until the rollback stops it. Every request
 * id its runs sent is the drill's, so the log verifier finds their entries; a run that fails is
 * the first bad sample, placed at the start of the step that failed.
 */
export class ProbeTraffic implements DrillTraffic {
  readonly unit = 'probe runs';
  readonly tally: TrafficTally = { sent: 0, bad: 0, byStatus: {}, errors: 0 };
  firstBad?: TrafficSample;
  readonly #waiters = new Set<(s: TrafficSample) => void>();
  readonly #stop = new AbortController();
  #probe?: ProbeDefinition;
  #runner?: ProbeRunner;
  #loop?: Promise<void>;
  #lastBadAt?: number;

  constructor(
    private readonly spec: ProbeTrafficSpec,
    private readonly env: DrillEnvironment,
    private readonly ctx: TrafficContext,
  ) {}

  async #setup(): Promise<{ probe: ProbeDefinition; runner: ProbeRunner }> {
    if (this.#probe && this.#runner) return { probe: this.#probe, runner: this.#runner };
    // Loaded on demand: a drill without probe traffic never pays for the probe engine.
    const { loadProbeSet } = await import('../probes/loader.ts');
    const files = this.env.probeFiles;
    // Another probe's broken file is not this drill's problem; the loader already refused a broken one of its own.
    const { probes } = await loadProbeSet({ root: this.ctx.root, ...files });
    const probe = probes.find((p) => p.definition.id === this.spec.probe)?.definition;
    if (!probe) {
      const have = probes.map((p) => p.definition.id).join(', ') || 'none';
      throw new Error(`no probe "${this.spec.probe}" in ${files?.dir ?? 'probes'}/ (have: ${have})`);
    }
    const { createProbeRunner } = await import('../probes/runner.ts');
    const logger = this.ctx.logger.child({ component: 'drill-traffic', probe: probe.id });
    const launchBrowser =
      probe.kind === 'browser'
        ? (await import('../probes/browser-pool.ts')).browserLauncher({ headless: true, logger })
        : undefined;
    this.#probe = probe;
    this.#runner = createProbeRunner({
      env: probeEnvironment(this.env),
      logger,
      artifactsDir: this.ctx.artifactsDir,
      ...(launchBrowser ? { launchBrowser } : {}),
    });
    return { probe, runner: this.#runner };
  }

  async baseline(signal: AbortSignal) {
    let probe: ProbeDefinition;
    let runner: ProbeRunner;
    try {
      ({ probe, runner } = await this.#setup());
    } catch (err) {
      return { ok: false, problems: [(err as Error).message], samples: [] };
    }
    const r = await runner.run(probe, { signal });
    const sample = sampleOf(r);
    if (r.status === 'pass') return { ok: true, problems: [], samples: [sample] };
    return {
      ok: false,
      problems: [`probe ${probe.id} ${r.status === 'fail' ? 'failed' : 'errored'}: ${sample.error}`],
      samples: [sample],
    };
  }

  start(signal: AbortSignal): void {
    const everyMs = this.spec.everyMs ?? DEFAULTS.everyMs;
    const maxRuns = this.spec.maxRuns ?? DEFAULTS.maxRuns;
    const stop = AbortSignal.any([signal, this.#stop.signal]);
    const probe = this.#probe;
    const runner = this.#runner;
    // Without a probe the baseline already failed, and preflight stopped the drill before this.
    if (!probe || !runner) return;
    this.#loop = (async () => {
      const started = Date.now();
      for (let n = 0; n < maxRuns && !stop.aborted; n++) {
        const wait = started + n * everyMs - Date.now();
        if (wait > 0) await sleep(wait, undefined, { signal: stop }).catch(() => {});
        if (stop.aborted) break;
        const r = await runner.run(probe, { signal: stop });
        for (const step of r.steps) for (const id of step.requestIds ?? []) this.ctx.recordRequestId(id);
        // A run the rollback cut short says nothing about the fault.
        if (stop.aborted) break;
        this.#record(r);
      }
    })();
  }

  #record(r: Result): void {
    this.tally.sent++;
    this.tally.byStatus[r.status] = (this.tally.byStatus[r.status] ?? 0) + 1;
    if (r.status === 'error') this.tally.errors++;
    if (r.status === 'pass') return;
    this.tally.bad++;
    const sample = sampleOf(r);
    this.#lastBadAt = Math.max(this.#lastBadAt ?? 0, sample.at);
    if (this.firstBad) return;
    this.firstBad = sample;
    markFirstBad(this.ctx.timeline, this.firstBad);
    for (const w of this.#waiters) w(this.firstBad);
  }

  waitForBad(deadline: number, signal: AbortSignal): Promise<TrafficSample | undefined> {
    return waitForBadSample(this.firstBad, this.#waiters, deadline, signal);
  }

  async stop(): Promise<TrafficTally> {
    this.#stop.abort();
    await this.#loop;
    await this.#runner?.close();
    if (this.#lastBadAt !== undefined) this.ctx.timeline.mark('lastBadAnswered', this.#lastBadAt);
    return this.tally;
  }
}

/** One probe run as a traffic sample: the step that failed (or the last one), timed as that step. */
function sampleOf(r: Result): TrafficSample {
  const step = r.steps.find((s) => s.status === 'fail' || s.status === 'error') ?? r.steps.at(-1);
  const start = step?.start ?? r.start;
  const durationMs = step?.durationMs ?? r.durationMs;
  return {
    requestId: step?.requestIds?.[0] ?? r.runId,
    path: `probe ${r.id}${step ? ` › ${step.name}` : ''}`,
    ...(r.status !== 'pass' ? { error: (step?.error ?? r.error)?.message ?? r.status } : {}),
    durationMs,
    at: start + durationMs,
  };
}

/** The drill's environment as the probe engine takes it. */
function probeEnvironment(env: DrillEnvironment): ResolvedEnvironment {
  return {
    name: env.name,
    baseUrl: env.baseUrl,
    stack: env.stack,
    location: 'drill',
    allowFaults: env.allowFaults,
    production: env.production,
    ...(env.credentials ? { credentials: env.credentials } : {}),
  };
}
