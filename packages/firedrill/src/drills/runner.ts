import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { WebhookReceiver } from '../clients/webhook-receiver.ts';
import { parseDuration } from '../core/duration.ts';
import {
  type ConditionResult,
  errorInfo,
  type Result,
  type Status,
  type StepResult,
} from '../core/result.ts';
import { type DrillEventListener, Timeline } from '../core/timeline.ts';
import { createFault } from '../faults/index.ts';
import type { FaultContext, FaultSpec } from '../faults/types.ts';
import { buildVerifiers } from '../verifiers/index.ts';
import { notificationDelta } from '../verifiers/notifications.ts';
import type { VerifierContext } from '../verifiers/types.ts';
import { buildClients } from './clients.ts';
import { type AlertFiresCondition, primaryAlert } from './conditions.ts';
import type { DrillDefinition } from './define.ts';
import { checkGuards, type DrillEnvironment, faultTarget, lockTargets } from './environment.ts';
import { hopMetrics } from './hops.ts';
import { Journal } from './journal.ts';
import { acquireTargetLock, type TargetLock } from './lock.ts';
import { observeExtras, resolveVerifiers, steadyStateLeftVerifier } from './phases.ts';
import { clockAfterDrill, type PipelineClock, sampleClockForAlert } from './pipeline-clock.ts';
import { type PreflightInfo, preflight } from './preflight.ts';
import { createDrillTraffic } from './probe-traffic.ts';
import { type AppliedFault, rollbackFaults } from './rollback.ts';

export interface RunDrillOptions {
  drill: DrillDefinition;
  env: DrillEnvironment;
  /** Absolute; journal and locks live under it. */
  stateDir: string;
  /** Project root (log schemas). */
  root: string;
  logger: Logger;
  /** Told of every timeline event as it happens (live console). */
  onEvent?: DrillEventListener;
  /** The push receiver, shared by the drills of one run. */
  webhook?: WebhookReceiver;
  /** Aborted on SIGINT/SIGTERM: the drill stops observing, rolls back, and skips resolve. */
  signal?: AbortSignal;
  yesProduction?: boolean;
  /** Starts local-stack components again (a crash fault's restart). */
  restartStack?: (components: string[]) => Promise<void>;
  runId?: string;
  /** How long preflight waits for an expected alert that is still active to clear. @defaultValue 30000 */
  steadyStateWaitMs?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;
const DEFAULT_RESOLVE_MS = 60_000;

export function newRunId(drillId: string): string {
  return `${drillId}-${randomBytes(3).toString('hex')}`;
}

function faultsOf(drill: DrillDefinition): FaultSpec[] {
  return Array.isArray(drill.fault) ? drill.fault : [drill.fault];
}

class Phase {
  readonly step: StepResult;
  constructor(name: string) {
    this.step = { name, status: 'pass', start: Date.now(), durationMs: 0 };
  }
  end(status: Status, err?: unknown): StepResult {
    this.step.status = status;
    this.step.durationMs = Date.now() - this.step.start;
    if (err !== undefined) this.step.error = errorInfo(err);
    return this.step;
  }
}

/**
 * Runs one drill: preflight → inject → observe → rollback (always, in `finally`) → resolve.
 * Never throws: every failure, including the runner's own, ends up in the returned Result.
 */
export async function runDrill(opts: RunDrillOptions): Promise<Result> {
  const { drill, env, logger } = opts;
  const runId = opts.runId ?? newRunId(drill.id);
  const log = logger.child({ component: 'drill', id: drill.id, runId });
  const timeline = new Timeline({ id: drill.id, runId }, opts.onEvent);
  const start = Date.now();
  const steps: StepResult[] = [];
  const conditions: ConditionResult[] = [];
  const faults = faultsOf(drill);
  const routing = faults.some((f) => f.type === 'inject-alert' || f.type === 'grafana-test-notification');
  const result: Result = {
    id: drill.id,
    name: drill.name ?? drill.id,
    kind: 'drill',
    status: 'pass',
    runId,
    start,
    durationMs: 0,
    environment: env.name,
    steps,
    artifacts: [],
    timeline: timeline.events,
    conditions,
    ...(drill.tags ? { tags: drill.tags } : {}),
  };
  const deadlineCtl = new AbortController();
  const timeout = setTimeout(
    () => deadlineCtl.abort(new Error(`drill timed out after ${drill.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
    drill.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadlineCtl.signal]) : deadlineCtl.signal;
  const requestIds: string[] = [];
  const clients = buildClients(env, log);
  const vctx: VerifierContext = {
    drillId: drill.id,
    runId,
    injectedAt: 0,
    timeline,
    logger: log,
    ...clients,
    slackChannels: env.slackChannels,
    ...(opts.webhook ? { webhook: opts.webhook } : {}),
    requestIds: () => requestIds,
    root: opts.root,
    ...(routing ? { drillLabel: runId } : {}),
  };
  const fctx: FaultContext = {
    target: faultTarget(env),
    drillId: drill.id,
    runId,
    signal,
    logger: log,
    recordRequestId: (id) => requestIds.push(id),
    ...(opts.restartStack ? { restartStack: opts.restartStack } : {}),
  };
  const traffic = drill.traffic
    ? createDrillTraffic(drill.traffic, env, {
        root: opts.root,
        runId,
        timeline,
        logger: log,
        artifactsDir: path.join(opts.stateDir, 'drill-artifacts', runId),
        recordRequestId: (id) => requestIds.push(id),
      })
    : undefined;
  const applied: AppliedFault[] = [];
  const locks: TargetLock[] = [];
  let journal: Journal | undefined;
  let info: PreflightInfo | undefined;
  let observed = false;
  let extras: { stop(): void } | undefined;
  let clock: Promise<PipelineClock | undefined> | undefined;
  const alerts = drill.expect.filter((c): c is AlertFiresCondition => c.type === 'alertFires');

  try {
    checkGuards(env, drill, { yesProduction: opts.yesProduction === true });
    for (const target of lockTargets(env, faults)) {
      locks.push(await acquireTargetLock(opts.stateDir, target, { runId, drillId: drill.id }));
    }

    const pre = new Phase('preflight');
    timeline.add('preflight', 'preflight started', { environment: env.name });
    try {
      info = await preflight(drill, env, vctx, traffic, routing, signal, opts.steadyStateWaitMs);
      steps.push(pre.end('pass'));
      timeline.add('preflight', 'steady state confirmed');
    } catch (err) {
      steps.push(pre.end('error', err));
      throw err;
    }

    const inj = new Phase('inject');
    try {
      journal = await Journal.create(opts.stateDir, {
        runId,
        drillId: drill.id,
        environment: env.name,
        target: fctx.target,
      });
      for (const spec of faults) {
        const fault = createFault(spec);
        const index = await journal.intend(spec, fault.describe());
        const entry: AppliedFault = { fault };
        applied.push(entry);
        entry.injected = await fault.inject(fctx);
        await journal.injected(index, entry.injected);
        if (timeline.mark('injected', entry.injected.injectedAt)) vctx.injectedAt = entry.injected.injectedAt;
        timeline.add(
          'inject',
          `fault injected: ${fault.describe()}`,
          {
            ids: entry.injected.ids,
            ...(entry.injected.expiresAt
              ? { expiresAt: new Date(entry.injected.expiresAt).toISOString() }
              : {}),
          },
          entry.injected.injectedAt,
        );
      }
      steps.push(inj.end('pass'));
      // Right after the fault, in the background: where the scrape and evaluation grids stand now.
      if (!routing) clock = sampleClockForAlert(clients.prometheus, info, alerts[0]?.alert, signal);
    } catch (err) {
      steps.push(inj.end('error', err));
      throw err;
    }

    const obs = new Phase('observe');
    traffic?.start(signal);
    const verifiers = buildVerifiers(
      drill.expect,
      vctx,
      info,
      primaryAlert(drill.expect) ?? routingAlert(faults),
    );
    const implicit =
      traffic && drill.requireEffect !== false ? [steadyStateLeftVerifier(drill, traffic, vctx)] : [];
    extras = observeExtras(drill, vctx);
    const all = [...implicit, ...verifiers];
    const results = await Promise.all(
      all.map((v) => v.wait(vctx.injectedAt + Number(v.condition.within ?? 30_000), signal)),
    );
    conditions.push(...results);
    if (signal.aborted) throw signal.reason ?? new Error('drill interrupted');
    observed = true;
    steps.push(obs.end(results.every((r) => r.status === 'pass') ? 'pass' : 'fail'));
  } catch (err) {
    result.error = errorInfo(err);
    log.warn({ err: (err as Error).message }, 'drill stopped before the end of observe');
  } finally {
    if (applied.length) timeline.mark('rollbackStarted');
    const rb = new Phase('rollback');
    const tally = traffic ? await traffic.stop() : undefined;
    if (tally) timeline.add('rollback', 'traffic stopped', { ...tally });
    if (applied.length) {
      // Never the drill's signal: Ctrl-C or a timeout must still let the rollback finish.
      const report = await rollbackFaults(
        applied,
        { ...fctx, signal: new AbortController().signal },
        timeline,
      );
      const at = Date.now();
      timeline.mark('rolledBack', at);
      result.rollback = report.ok
        ? { status: 'pass', at }
        : { status: 'error', at, error: { message: report.errors.join('; '), type: 'rollback' } };
      if (report.ok) await journal?.remove().catch(() => {});
      steps.push(rb.end(report.ok ? 'pass' : 'error'));
    } else {
      await journal?.remove().catch(() => {});
    }
    for (const l of locks.reverse()) await l.release().catch(() => {});
  }

  if (observed && drill.resolve !== false && result.rollback?.status === 'pass' && !signal.aborted) {
    const res = new Phase('resolve');
    const within = parseDuration(drill.resolve?.within ?? DEFAULT_RESOLVE_MS);
    const since = timeline.marks.rolledBack ?? Date.now();
    const verifiers = resolveVerifiers(drill, vctx, within, routing, routingAlert(faults));
    const results = await Promise.all(verifiers.map((v) => v.wait(since + within, signal)));
    conditions.push(...results);
    steps.push(res.end(results.every((r) => r.status === 'pass') ? 'pass' : 'fail'));
  }
  extras?.stop();
  clearTimeout(timeout);

  result.durationMs = Date.now() - start;
  result.timeline = timeline.sorted();
  const grids =
    clock && (await clockAfterDrill(clock, clients.prometheus, info, alerts[0]?.alert, timeline.marks));
  result.metrics = hopMetrics(timeline.marks, info, alerts[0]?.alert, routing, grids);
  if (info?.notificationsBefore && clients.alertmanager) {
    Object.assign(
      result.metrics,
      await notificationDelta(clients.alertmanager.opts, info.notificationsBefore),
    );
  }
  result.status = overallStatus(result, conditions);
  timeline.add(result.status === 'pass' ? 'resolve' : 'rollback', `drill ${result.status}`, {
    durationMs: result.durationMs,
  });
  result.timeline = timeline.sorted();
  return result;
}

function routingAlert(faults: readonly FaultSpec[]): string | undefined {
  for (const f of faults) {
    if (f.type === 'inject-alert') return f.labels.alertname;
    if (f.type === 'grafana-test-notification') return f.alertname ?? 'FiredrillRoutingTest';
  }
  return undefined;
}

/** error: the drill could not run, was interrupted or could not roll back; fail: it ran and a condition did not hold. */
export function overallStatus(result: Result, conditions: readonly ConditionResult[]): Status {
  if (result.rollback && result.rollback.status !== 'pass') return 'error';
  if (result.error) return 'error';
  if (conditions.some((c) => c.status === 'error')) return 'error';
  if (conditions.some((c) => c.status === 'fail')) return 'fail';
  return 'pass';
}
