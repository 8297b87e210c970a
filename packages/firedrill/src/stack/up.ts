import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type Config, STACK_COMPONENTS, type StackComponent } from '../config/schema.ts';
import type { StackContext } from './component.ts';
import { COMPONENTS } from './components/index.ts';
import { type EnsureOutcome, ensureComponent, ownsComponent } from './ensure.ts';
import { silentLogger } from './logger.ts';
import { type MonitoringRenderers, monitoringSource } from './monitoring.ts';
import { defaultCacheDir, resolveStateDir, stackPaths } from './paths.ts';
import { planPorts } from './ports.ts';
import { acquireStackLock, readPorts, readStackState, StateWriter, writePorts } from './state.ts';
import { type ComponentState, StackError, type StackPortName, type StackState } from './types.ts';

export interface StackUpOptions {
  config: Config;
  /** Project root: `config.stateDir` is relative to it, and the demo app and sink run from it. */
  root: string;
  /** Start only these (default: all); what already runs is kept either way. */
  components?: StackComponent[];
  logger?: Logger;
  signal?: AbortSignal;
  /** Replace the renderers normally imported from `<root>/config/alerting/`. */
  monitoring?: Partial<MonitoringRenderers>;
}

/** Ports that stay as recorded even while taken: firedrill's own listeners hold them. */
const FIREDRILL_PORTS: StackPortName[] = ['firedrill-metrics', 'firedrill-webhook'];

function alivePortNames(alive: Iterable<StackComponent>): Set<StackPortName> {
  const keep = new Set<StackPortName>(FIREDRILL_PORTS);
  for (const name of alive) {
    const port = COMPONENTS[name].port;
    if (port) keep.add(port);
    if (name === 'opensearch') keep.add('opensearch-transport');
  }
  return keep;
}

function formatFailures(failures: Map<StackComponent, Error>): string {
  const lines = [...failures].map(
    ([name, err]) => `${name}: ${err.message.replace(new RegExp(`^${name}:? `), '')}`,
  );
  return `the local stack did not come up:\n${lines.join('\n\n')}`;
}

/**
 * Starts the embedded local stack (or the chosen components), reusing what already runs
 * healthy, and returns its state once every component passes its readiness check. Independent
 * components start concurrently; a component waits only for those it needs. A component that
 * fails leaves the others running and recorded, so `stackDown` stops them.
 */
export async function stackUp(opts: StackUpOptions): Promise<StackState> {
  const t0 = Date.now();
  const { config, root, signal } = opts;
  const logger = (opts.logger ?? silentLogger).child({ component: 'stack' });
  const paths = stackPaths(resolveStateDir(config, root));
  const selected = STACK_COMPONENTS.filter((c) => (opts.components ?? STACK_COMPONENTS).includes(c));
  await mkdir(paths.logsDir, { recursive: true });
  const release = await acquireStackLock(paths.stateDir, signal ? { signal } : {});
  try {
    const previous = await readStackState(paths.stateDir);
    const alive = new Map<StackComponent, ComponentState>();
    for (const name of STACK_COMPONENTS) {
      const cs = previous?.components[name];
      if (cs && ownsComponent({ paths }, name, cs).owned) alive.set(name, cs);
    }
    const ports = await planPorts({
      fixed: config.stack.ports,
      recorded: { ...(await readPorts(paths.stateDir)), ...previous?.ports },
      keep: alivePortNames(alive.keys()),
    });
    await writePorts(paths.stateDir, ports);

    const state: StackState = {
      version: 1,
      stateDir: paths.stateDir,
      root,
      profile: config.stack.profile,
      ports,
      components: Object.fromEntries(alive),
      ...(previous?.lastUp ? { lastUp: previous.lastUp } : {}),
      updatedAt: new Date().toISOString(),
    };
    const writer = new StateWriter(state);
    await writer.update(() => {});

    const ctx: StackContext = {
      config,
      root,
      paths,
      ports,
      profile: config.stack.profile,
      active: new Set([...selected, ...alive.keys()]),
      monitoring: monitoringSource(root, opts.monitoring),
      logger,
      cacheDir: config.stack.cacheDir ?? defaultCacheDir(),
      uid: process.getuid?.() ?? -1,
    };

    // Every missing program at once, each with its install command, before anything starts.
    const problems: string[] = [];
    for (const name of selected) {
      try {
        COMPONENTS[name].preflight?.(ctx);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    if (problems.length) throw new StackError(`cannot start the local stack:\n  ${problems.join('\n  ')}`);

    const outcomes = new Map<StackComponent, EnsureOutcome>();
    const failures = new Map<StackComponent, Error>();
    const pending = new Map<StackComponent, Promise<void>>();
    const bringUp = (name: StackComponent): Promise<void> => {
      let p = pending.get(name);
      if (p) return p;
      const def = COMPONENTS[name];
      p = (async () => {
        for (const dep of def.after) {
          if (!selected.includes(dep)) continue;
          await bringUp(dep).catch(() => {
            throw new StackError(`not started: ${dep} failed`);
          });
        }
        const log = logger.child({ id: name });
        const t = Date.now();
        const outcome = await ensureComponent({
          def,
          ctx,
          running: alive.get(name),
          writer,
          logger: log,
          signal,
        });
        outcomes.set(name, outcome);
        log.info({ outcome, ms: Date.now() - t, url: def.url?.(ports) }, `${name} ${outcome}`);
      })().catch((err: Error) => {
        failures.set(name, err);
        throw err;
      });
      pending.set(name, p);
      return p;
    };
    await Promise.allSettled(selected.map(bringUp));
    signal?.throwIfAborted();

    const pick = (o: EnsureOutcome) => selected.filter((n) => outcomes.get(n) === o);
    await writer.update((s) => {
      s.lastUp = {
        startedAt: new Date(t0).toISOString(),
        durationMs: Date.now() - t0,
        started: pick('started'),
        reloaded: pick('reloaded'),
        reused: pick('reused'),
      };
    });
    if (failures.size) throw new StackError(formatFailures(failures));
    logger.info({ ms: Date.now() - t0, stateDir: paths.stateDir }, 'local stack up');
    return writer.state;
  } finally {
    await release();
  }
}
