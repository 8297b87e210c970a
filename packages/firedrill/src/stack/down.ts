import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type Config, STACK_COMPONENTS, type StackComponent } from '../config/schema.ts';
import { COMPONENTS } from './components/index.ts';
import { ownsComponent } from './ensure.ts';
import { silentLogger } from './logger.ts';
import { resolveStateDir, stackPaths } from './paths.ts';
import { stopProcess } from './processes.ts';
import { acquireStackLock, readStackState, removeStackState, writeStackState } from './state.ts';

export interface StackDownOptions {
  config: Pick<Config, 'stateDir'>;
  root: string;
  /** Stop only these (default: all recorded). */
  components?: StackComponent[];
  logger?: Logger;
  /** Also delete everything the stack kept: data, logs, generated configs, remembered ports. */
  purge?: boolean;
}

export interface StackDownResult {
  /** Stopped by SIGTERM, or SIGKILL when it did not exit in time. */
  stopped: { component: StackComponent; how: 'stopped' | 'killed' }[];
  /** Recorded, but no longer running or no longer ours (then left alone). */
  notRunning: { component: StackComponent; reason: string }[];
}

/**
 * Stops exactly the processes `stackUp` recorded. A pid whose start time, command line or
 * marker no longer match is left alone: it was recycled by someone else. Dependents stop
 * before what they depend on (the shipper flushes into a still-running OpenSearch).
 */
export async function stackDown(opts: StackDownOptions): Promise<StackDownResult> {
  const logger = (opts.logger ?? silentLogger).child({ component: 'stack' });
  const paths = stackPaths(resolveStateDir(opts.config, opts.root));
  const result: StackDownResult = { stopped: [], notRunning: [] };
  const release = await acquireStackLock(paths.stateDir);
  try {
    const state = await readStackState(paths.stateDir);
    if (state) {
      const chosen = STACK_COMPONENTS.filter(
        (c) => state.components[c] && (!opts.components || opts.components.includes(c)),
      );
      const done = new Map<StackComponent, Promise<void>>();
      const stop = (name: StackComponent): Promise<void> => {
        let p = done.get(name);
        if (p) return p;
        p = (async () => {
          const dependents = chosen.filter((c) => COMPONENTS[c].after.includes(name));
          await Promise.all(dependents.map(stop));
          const cs = state.components[name]!;
          const own = ownsComponent({ paths }, name, cs);
          if (!own.owned) {
            result.notRunning.push({ component: name, reason: own.reason });
            logger.info({ id: name, reason: own.reason }, `${name} not running`);
          } else {
            const how = await stopProcess(cs.pid, COMPONENTS[name].stopTimeoutMs);
            if (how === 'gone') result.notRunning.push({ component: name, reason: `pid ${cs.pid} exited` });
            else result.stopped.push({ component: name, how });
            logger.info({ id: name, pid: cs.pid, how }, `${name} ${how}`);
          }
          delete state.components[name];
        })();
        done.set(name, p);
        return p;
      };
      await Promise.all(chosen.map(stop));
      if (Object.keys(state.components).length === 0) await removeStackState(paths.stateDir);
      else await writeStackState({ ...state, updatedAt: new Date().toISOString() });
    }
    if (opts.purge && (!state || Object.keys(state.components).length === 0)) {
      await rm(paths.stackDir, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
  return result;
}
