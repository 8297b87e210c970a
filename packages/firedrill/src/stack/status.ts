import { type Config, STACK_COMPONENTS } from '../config/schema.ts';
import { COMPONENTS } from './components/index.ts';
import { ownsComponent } from './ensure.ts';
import { resolveStateDir, stackPaths } from './paths.ts';
import { readStackState } from './state.ts';
import type { ComponentStatus } from './types.ts';

export interface StackStatusOptions {
  config: Pick<Config, 'stateDir'>;
  root: string;
}

/** Each recorded component: still running and ours? answering? Empty when the stack is down. */
export async function stackStatus(opts: StackStatusOptions): Promise<ComponentStatus[]> {
  const paths = stackPaths(resolveStateDir(opts.config, opts.root));
  const state = await readStackState(paths.stateDir);
  if (!state) return [];
  const now = Date.now();
  const recorded = STACK_COMPONENTS.filter((c) => state.components[c]);
  return Promise.all(
    recorded.map(async (name): Promise<ComponentStatus> => {
      const cs = state.components[name]!;
      const own = ownsComponent({ paths }, name, cs);
      const base: ComponentStatus = {
        component: name,
        running: own.owned,
        healthy: false,
        pid: cs.pid,
        ...(cs.port !== undefined ? { port: cs.port } : {}),
        ...(cs.url ? { url: cs.url } : {}),
        startedAt: cs.startedAt,
        ...(cs.readyMs !== undefined ? { readyMs: cs.readyMs } : {}),
        logFile: cs.logFile,
      };
      if (!own.owned) return { ...base, detail: own.reason };
      const probe = await COMPONENTS[name]
        .probe({ ports: state.ports, paths })(AbortSignal.timeout(3_000))
        .catch((err: Error) => err.message);
      return {
        ...base,
        healthy: probe === true,
        uptimeMs: now - Date.parse(cs.startedAt),
        ...(probe === true ? {} : { detail: probe }),
      };
    }),
  );
}
