import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { WebhookReceiver } from '../clients/webhook-receiver.ts';
import { buildVerifier, settle, type Verifier, type VerifierContext } from '../conditions/index.ts';
import { notificationDelta } from '../conditions/notifications.ts';
import { formatMs } from '../core/duration.ts';
import {
  type ConditionResult,
  errorInfo,
  type Result,
  type Status,
  type StepResult,
} from '../core/result.ts';
import { type DrillEventListener, Timeline } from '../core/timeline.ts';
import { createFault } from '../faults/index.ts';
import type { FaultContext } from '../faults/types.ts';
import { buildClients } from './clients.ts';
import { alertmanagerEvidence, diagnose, diagnosisFromFindings, markConsequences } from './diagnosis.ts';
import { checkGuards, type DrillEnvironment, faultTarget, lockTargets } from './environment.ts';
import { hopMetrics } from './hops.ts';
import { Journal } from './journal.ts';
import { findLeftovers } from './leftovers.ts';
import { acquireTargetLock, type TargetLock } from './lock.ts';
import { observeExtras, resolveVerifiers, steadyStateLeftVerifier, watchFailedSends } from './phases.ts';
import { clockAfterDrill, type PipelineClock, sampleClockForAlert } from './pipeline-clock.ts';
import type { DrillPlan } from './plan.ts';
import { PreflightError, type PreflightInfo, preflight } from './preflight.ts';
import { createDrillTraffic } from './probe-traffic.ts';
import { type AppliedFault, rollbackFaults } from './rollback.ts';
import type { DrillTraffic } from './traffic.ts';

export interface RunDrillOptions {
  drill: DrillPlan;
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
  /** Preflight only: the live pipeline checked and its minimum per hop measured, nothing injected. */
  dryRun?: boolean;
}

export function newRunId(drillId: string): string {
  return `${drillId}-${randomBytes(3).toString('hex')}`;
}

/** Everything one drill run shares across its phases. */
interface Run {
  opts: RunDrillOptions;
  drill: DrillPlan;
  env: DrillEnvironment;
  log: Logger;
  timeline: Timeline;
  result: Result & { steps: StepResult[]; conditions: ConditionResult[] };
  signal: AbortSignal;
  clients: ReturnType<typeof buildClients>;
  vctx: VerifierContext;
  fctx: FaultContext;
  traffic: DrillTraffic | undefined;
  applied: AppliedFault[];
  locks: TargetLock[];
  journal?: Journal;
  info?: PreflightInfo;
  clock?: Promise<PipelineClock | undefined>;
  /** What Alertmanager held of a fired alert whose message did not arrive, read before rollback. */
  evidence?: string;
  /** Observe ran to its end (not cut short by an error or a signal): resolve may follow. */
  observed: boolean;
}

/** A phase's step on the result: timed from its start, its status from how it ended. */
async function phase(run: Run, name: string, body: () => Promise<Status>): Promise<void> {
  const step: StepResult = { name, status: 'pass', start: Date.now(), durationMs: 0 };
  try {
    step.status = await body();
  } catch (err) {
    step.status = 'error';
    step.error = errorInfo(err);
    throw err;
  } finally {
    step.durationMs = Date.now() - step.start;
    run.result.steps.push(step);
  }
}

/**
 * Runs one drill: preflight → inject → observe → rollback (always) → resolve. Never throws:
 * every failure, including the runner's own, ends up in the returned Result.
 */
export async function runDrill(opts: RunDrillOptions): Promise<Result> {
  const run = newRun(opts);
  const deadline = setTimeout(
    () => run.deadline.abort(new Error(`drill timed out after ${run.drill.timeoutMs} ms`)),
    run.drill.timeoutMs,
  );
  try {
    checkGuards(run.env, run.drill, {
      yesProduction: opts.yesProduction === true,
      dryRun: opts.dryRun === true,
    });
    // Before taking the locks: a dead run's stale lock stays for `firedrill rollback` to report.
    await findLeftovers(opts.stateDir, run.env.name, run.drill, run.fctx);
    if (opts.dryRun) {
      await phase(run, 'preflight', () => preflightPhase(run));
      dryRunPlan(run);
      clearTimeout(deadline);
      return await finish(run);
    }
    for (const target of lockTargets(run.env, run.drill.faults)) {
      run.locks.push(
        await acquireTargetLock(opts.stateDir, target, { runId: run.result.runId, drillId: run.drill.id }),
      );
    }
    await phase(run, 'preflight', () => preflightPhase(run));
    await phase(run, 'inject', () => injectPhase(run));
    await phase(run, 'observe', () => observePhase(run));
  } catch (err) {
    run.result.error = errorInfo(err);
    if (err instanceof PreflightError && err.findings.length) {
      for (const f of err.findings) run.timeline.add(f.hop, 'preflight', `refused: ${f.message}`);
      const d = diagnosisFromFindings(err.findings);
      if (d) run.result.diagnosis = d;
    }
    run.log.warn({ err: (err as Error).message }, 'drill stopped before the end of observe');
  } finally {
    await rollbackPhase(run);
  }
  if (run.observed && run.drill.resolve && run.result.rollback?.status === 'pass' && !run.signal.aborted)
    await phase(run, 'resolve', () => resolvePhase(run));
  clearTimeout(deadline);
  return finish(run);
}

function newRun(opts: RunDrillOptions): Run & { deadline: AbortController } {
  const { drill, env } = opts;
  const runId = opts.runId ?? newRunId(drill.id);
  const log = opts.logger.child({ component: 'drill', id: drill.id, runId });
  const timeline = new Timeline({ id: drill.id, runId }, opts.onEvent);
  const deadline = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
  const requestIds: string[] = [];
  const recordRequestId = (id: string) => requestIds.push(id);
  const clients = buildClients(env, log);
  const result: Run['result'] = {
    id: drill.id,
    name: drill.name,
    kind: 'drill',
    status: 'pass',
    runId,
    start: Date.now(),
    durationMs: 0,
    environment: env.name,
    steps: [],
    artifacts: [],
    timeline: timeline.events,
    conditions: [],
    ...(drill.tags ? { tags: drill.tags } : {}),
  };
  return {
    opts,
    drill,
    env,
    log,
    timeline,
    result,
    signal,
    deadline,
    clients,
    vctx: {
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
      ...(drill.routing ? { drillLabel: runId } : {}),
    },
    fctx: {
      target: faultTarget(env),
      drillId: drill.id,
      runId,
      signal,
      logger: log,
      recordRequestId,
      ...(opts.restartStack ? { restartStack: opts.restartStack } : {}),
    },
    traffic: drill.traffic
      ? createDrillTraffic(drill.traffic, env, {
          root: opts.root,
          runId,
          timeline,
          logger: log,
          artifactsDir: path.join(opts.stateDir, 'drill-artifacts', runId),
          recordRequestId,
        })
      : undefined,
    applied: [],
    locks: [],
    observed: false,
  };
}

async function preflightPhase(run: Run): Promise<Status> {
  run.timeline.add('preflight', 'preflight', 'preflight started', { environment: run.env.name });
  run.info = await preflight(
    run.drill,
    run.env,
    run.vctx,
    run.traffic,
    run.drill.routing,
    run.signal,
    run.opts.steadyStateWaitMs,
  );
  run.timeline.add('preflight', 'preflight', 'steady state confirmed');
  return 'pass';
}

/** The journal is written and fsynced before each fault, so a crash mid-drill can always be undone. */
async function injectPhase(run: Run): Promise<Status> {
  const { drill, timeline } = run;
  run.journal = await Journal.create(run.opts.stateDir, {
    runId: run.result.runId,
    drillId: drill.id,
    environment: run.env.name,
    target: run.fctx.target,
  });
  for (const spec of drill.faults) {
    const fault = createFault(spec);
    const index = await run.journal.intend(spec, fault.describe());
    const entry: AppliedFault = { fault };
    run.applied.push(entry);
    entry.injected = await fault.inject(run.fctx);
    await run.journal.injected(index, entry.injected);
    if (timeline.mark('injected', entry.injected.injectedAt)) run.vctx.injectedAt = entry.injected.injectedAt;
    timeline.add(
      'inject',
      'inject',
      `fault injected: ${fault.describe()}`,
      {
        ids: entry.injected.ids,
        ...(entry.injected.expiresAt ? { expiresAt: new Date(entry.injected.expiresAt).toISOString() } : {}),
      },
      entry.injected.injectedAt,
    );
  }
  // Right after the fault, in the background: where the scrape and evaluation grids stand now.
  if (!drill.routing)
    run.clock = sampleClockForAlert(run.clients.prometheus, run.info, firstAlert(drill), run.signal);
  return 'pass';
}

/** Every condition at once, each against its own deadline counted from the injection. */
async function observePhase(run: Run): Promise<Status> {
  const { drill, vctx, traffic, timeline } = run;
  traffic?.start(run.signal);
  const forMs = (alert: string) => run.info?.rules.get(alert)?.forMs ?? 0;
  const verifiers: Verifier[] = [
    ...(traffic && drill.requireEffect
      ? [steadyStateLeftVerifier(drill, traffic, () => timeline.marks.firstBadSample)]
      : []),
    ...drill.expect.map((c) => buildVerifier(c, vctx, { forMs })),
  ];
  const extras = observeExtras(drill, vctx);
  // Conclusive evidence (a message in the wrong channel, logs that break the schema, Slack sends
  // failing) ends observing for every condition: the fault comes off at once.
  const stop = new AbortController();
  const conclude = (what: string, message: string) => {
    if (stop.signal.aborted) return;
    const at = formatMs(Date.now() - vctx.injectedAt);
    timeline.add('other', 'observe', `conclusive at +${at}: ${message}; stopping early`);
    stop.abort(new Error(`observing stopped at +${at} on conclusive evidence (${what}: ${message})`));
  };
  const slackWithin = drill.expect.flatMap((c) => (c.type === 'slackMessage' ? [c.within] : []));
  const sends = slackWithin.length
    ? watchFailedSends(vctx, run.info?.notificationsBefore, Math.max(...slackWithin), stop.signal, (r) =>
        conclude('Alertmanager', r.message ?? ''),
      )
    : { stop: async () => undefined };
  const results = await Promise.all(
    verifiers.map(async (v) => {
      const r = await settle(v, vctx.injectedAt, run.signal, stop.signal);
      if (r.conclusive) conclude(r.condition.type, r.message ?? r.status);
      return r;
    }),
  );
  const failedSends = await sends.stop();
  if (failedSends) results.push(failedSends);
  timeline.merge(extras.stop());
  run.evidence = await notifyEvidence(run, results);
  record(run, results);
  if (run.signal.aborted) throw run.signal.reason ?? new Error('drill interrupted');
  run.observed = true;
  return results.every((r) => r.status === 'pass') ? 'pass' : 'fail';
}

/** For a message that did not arrive about an alert that did fire: Alertmanager's account of it. */
async function notifyEvidence(run: Run, results: ConditionResult[]): Promise<string | undefined> {
  const am = run.clients.alertmanager;
  if (!am || run.signal.aborted) return undefined;
  const fired = new Set(
    results
      .filter((r) => r.condition.type === 'alertFires' && r.status === 'pass')
      .map((r) => r.condition.alert),
  );
  const missed = results.find(
    (r) =>
      r.condition.type === 'slackMessage' && r.status === 'fail' && fired.has(r.condition.alert as string),
  );
  if (!missed) return undefined;
  return alertmanagerEvidence(am, missed.condition.alert as string, run.signal).catch(() => undefined);
}

/** Always runs, whatever ended the drill, and never on the drill's signal: a Ctrl-C must not stop it. */
async function rollbackPhase(run: Run): Promise<void> {
  const { timeline, result } = run;
  if (run.applied.length) timeline.mark('rollbackStarted');
  const start = Date.now();
  const tally = run.traffic ? await run.traffic.stop() : undefined;
  if (tally) timeline.add('rollback', 'rollback', 'traffic stopped', { ...tally });
  if (run.applied.length) {
    const report = await rollbackFaults(
      run.applied,
      { ...run.fctx, signal: new AbortController().signal },
      timeline,
    );
    const at = Date.now();
    timeline.mark('rolledBack', at);
    result.rollback = report.ok
      ? { status: 'pass', at }
      : { status: 'error', at, error: { message: report.errors.join('; '), type: 'rollback' } };
    if (report.ok) await run.journal?.remove().catch(() => {});
    result.steps.push({
      name: 'rollback',
      status: report.ok ? 'pass' : 'error',
      start,
      durationMs: at - start,
    });
  } else {
    await run.journal?.remove().catch(() => {});
  }
  for (const l of run.locks.reverse()) await l.release().catch(() => {});
}

async function resolvePhase(run: Run): Promise<Status> {
  const since = run.timeline.marks.rolledBack ?? Date.now();
  const observed = run.result.conditions.filter((c) => c.condition.type === 'alertFires');
  const fired = (alert: string) =>
    observed.every((c) => c.condition.alert !== alert) ||
    observed.some((c) => c.condition.alert === alert && c.status === 'pass');
  const verifiers = resolveVerifiers(run.drill, run.vctx, fired);
  const results = await Promise.all(verifiers.map((v) => settle(v, since, run.signal)));
  record(run, results);
  return results.every((r) => r.status === 'pass' || r.status === 'skipped') ? 'pass' : 'fail';
}

/** Conditions go on the result; the moments they saw go on the timeline, for the hops. */
function record(run: Run, results: (ConditionResult & { conclusive?: boolean })[]): void {
  for (const { conclusive: _, ...r } of results) {
    run.result.conditions.push(r);
    run.timeline.merge(r.marks);
  }
}

/** What a dry run would have done, on the timeline; the pipeline's per-hop minimums go in the metrics. */
function dryRunPlan(run: Run): void {
  const { drill, timeline } = run;
  for (const spec of drill.faults) {
    timeline.add('inject', 'preflight', `dry run, not injected: ${createFault(spec).describe()}`);
  }
  timeline.add('other', 'preflight', 'dry run: nothing injected; the drill would pass preflight');
}

async function finish(run: Run): Promise<Result> {
  const { result, timeline, info, clients, drill } = run;
  result.durationMs = Date.now() - result.start;
  const alert = firstAlert(drill);
  const grids =
    run.clock && (await clockAfterDrill(run.clock, clients.prometheus, info, alert, timeline.marks));
  result.metrics = hopMetrics(timeline.marks, info, alert, drill.routing, grids);
  if (info?.notificationsBefore && clients.alertmanager) {
    Object.assign(
      result.metrics,
      await notificationDelta(clients.alertmanager.opts, info.notificationsBefore),
    );
  }
  markConsequences(result.conditions);
  result.status = overallStatus(result, result.conditions);
  if (!result.diagnosis) {
    const d = diagnose(result, run.evidence);
    if (d) result.diagnosis = d;
  }
  const pass = result.status === 'pass';
  timeline.add(pass ? 'resolve' : 'rollback', pass ? 'resolve' : 'rollback', `drill ${result.status}`, {
    durationMs: result.durationMs,
  });
  result.timeline = timeline.sorted();
  return result;
}

const firstAlert = (d: DrillPlan) => d.expect.find((c) => c.type === 'alertFires')?.alert;

/** error: the drill could not run, was interrupted or could not roll back; fail: it ran and a condition did not hold. */
export function overallStatus(result: Result, conditions: readonly ConditionResult[]): Status {
  if (result.rollback && result.rollback.status !== 'pass') return 'error';
  // Refused from the live config alone: the pipeline under test is broken, nothing was injected.
  if (result.error?.type === 'pipeline-config') return 'fail';
  if (result.error) return 'error';
  if (conditions.some((c) => c.status === 'error')) return 'error';
  if (conditions.some((c) => c.status === 'fail')) return 'fail';
  return 'pass';
}
