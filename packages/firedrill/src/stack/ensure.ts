import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ComponentDefinition, LaunchPlan, StackContext } from './component.ts';
import { waitReady } from './health.ts';
import {
  checkOwnership,
  isAlive,
  MARKER_VAR,
  processMarker,
  spawnDetached,
  stopProcess,
} from './processes.ts';
import type { StateWriter } from './state.ts';
import { type ComponentState, StackError } from './types.ts';

export type EnsureOutcome = 'started' | 'reloaded' | 'reused';

/** A healthy component that is already running answers at once; give it a moment, no more. */
const REUSE_PROBE_MS = 5_000;

/** Variables every component inherits; the rest of the caller's environment (NODE_OPTIONS, VITEST, …) stays out. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'];

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export function launchHash(plan: LaunchPlan): string {
  return hash({ command: plan.command, args: plan.args, env: plan.env, cwd: plan.cwd });
}

export function configHash(plan: LaunchPlan): string {
  return hash(plan.configText);
}

export function markerFor(ctx: Pick<StackContext, 'paths'>, name: string): string {
  return processMarker(ctx.paths.stackDir, name);
}

/** Whether a recorded component is alive and provably the process `up` started. */
export function ownsComponent(ctx: Pick<StackContext, 'paths'>, name: string, cs: ComponentState) {
  return checkOwnership(cs.pid, {
    procStart: cs.procStart,
    cmdlineIncludes: cs.identity,
    marker: markerFor(ctx, name),
  });
}

interface EnsureArgs {
  def: ComponentDefinition;
  ctx: StackContext;
  /** The recorded state, when `up` found this component alive and ours. */
  running: ComponentState | undefined;
  writer: StateWriter;
  logger: Logger;
  signal: AbortSignal | undefined;
}

async function waitSettled(
  a: EnsureArgs,
  cs: ComponentState,
  timeoutMs: number,
  exited: () => string | undefined,
) {
  const { def, ctx, signal } = a;
  const common = { component: def.name, timeoutMs, logFile: cs.logFile, signal, exited };
  const target = cs.url ?? cs.configFile ?? def.name;
  await waitReady({ ...common, target, probe: def.probe(ctx) });
  if (def.settle) await waitReady({ ...common, target: `${target} (stack-wide)`, probe: def.settle(ctx) });
}

const deadIfGone = (pid: number) => () => (isAlive(pid) ? undefined : 'exited');

/**
 * Brings one component to healthy: reuses it when it runs unchanged and answers, reloads it when
 * only its config files changed, otherwise (re)starts it. Records it in state as soon as it is spawned.
 */
export async function ensureComponent(a: EnsureArgs): Promise<EnsureOutcome> {
  const { def, ctx, running, writer, logger, signal } = a;
  const plan = await def.prepare(ctx, signal);
  const lh = launchHash(plan);
  const ch = configHash(plan);
  let outcome: EnsureOutcome | undefined;
  if (running && running.launchHash === lh) {
    try {
      if (running.configHash === ch) {
        await waitSettled(a, running, REUSE_PROBE_MS, deadIfGone(running.pid));
        outcome = 'reused';
      } else if (def.reload) {
        await def.reload(ctx);
        await waitSettled(a, running, def.readyTimeoutMs, deadIfGone(running.pid));
        await writer.update((s) => {
          s.components[def.name] = { ...running, configHash: ch };
        });
        outcome = 'reloaded';
      }
    } catch (err) {
      signal?.throwIfAborted();
      logger.warn({ err: (err as Error).message }, 'running instance unusable; restarting it');
    }
  }
  if (!outcome) {
    if (running && ownsComponent(ctx, def.name, running).owned) {
      await stopProcess(running.pid, def.stopTimeoutMs);
    }
    await start(a, plan, lh, ch);
    outcome = 'started';
  }
  await def.afterReady?.(ctx, signal);
  return outcome;
}

async function start(a: EnsureArgs, plan: LaunchPlan, lh: string, ch: string): Promise<void> {
  const { def, ctx, writer, logger } = a;
  await def.beforeStart?.(ctx);
  const env: Record<string, string> = {};
  for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  Object.assign(env, plan.env);
  env[MARKER_VAR] = markerFor(ctx, def.name).slice(MARKER_VAR.length + 1);
  const logFile = ctx.paths.logFile(def.name);
  const t0 = Date.now();
  let spawned: Awaited<ReturnType<typeof spawnDetached>>;
  try {
    spawned = await spawnDetached({ command: plan.command, args: plan.args, env, cwd: plan.cwd, logFile });
  } catch (err) {
    throw new StackError(`${def.name}: cannot run ${plan.command}: ${(err as Error).message}`);
  }
  const port = def.port ? ctx.ports[def.port] : undefined;
  const cs: ComponentState = {
    pid: spawned.pid,
    procStart: spawned.procStart,
    ...(port !== undefined ? { port } : {}),
    ...(def.url ? { url: def.url(ctx.ports) } : {}),
    startedAt: new Date(t0).toISOString(),
    logFile,
    ...(plan.configFile ? { configFile: plan.configFile } : {}),
    identity: plan.identity,
    command: [plan.command, ...plan.args],
    launchHash: lh,
    configHash: ch,
  };
  await writer.update((s) => {
    s.components[def.name] = cs;
  });
  logger.debug({ pid: cs.pid, command: cs.command.join(' ') }, 'spawned');
  let exit: string | undefined;
  const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
    exit = sig ? `was killed by ${sig}` : `exited with code ${code}`;
  };
  spawned.child.once('exit', onExit);
  try {
    await waitSettled(a, cs, def.readyTimeoutMs, () => exit);
  } finally {
    spawned.child.off('exit', onExit);
  }
  const readyMs = Date.now() - t0;
  await writer.update((s) => {
    const current = s.components[def.name];
    if (current) current.readyMs = readyMs;
  });
}
