import os from 'node:os';
import path from 'node:path';
import type { Config, StackComponent } from '../config/schema.ts';

/** Where one stack keeps everything: `<stateDir>/stack/`. */
export interface StackPaths {
  stateDir: string;
  stackDir: string;
  stateFile: string;
  /** Ports survive `down`, so URLs stay the same from one `up` to the next. */
  portsFile: string;
  lockFile: string;
  logsDir: string;
  /** The demo app's JSON-lines log, which the log shipper tails. */
  demoLogFile: string;
  componentDir(component: StackComponent): string;
  logFile(component: StackComponent): string;
}

export function resolveStateDir(config: Pick<Config, 'stateDir'>, root: string): string {
  return path.resolve(root, config.stateDir);
}

export function stackPaths(stateDir: string): StackPaths {
  const stackDir = path.join(path.resolve(stateDir), 'stack');
  return {
    stateDir: path.resolve(stateDir),
    stackDir,
    stateFile: path.join(stackDir, 'state.json'),
    portsFile: path.join(stackDir, 'ports.json'),
    lockFile: path.join(stackDir, 'lock'),
    logsDir: path.join(stackDir, 'logs'),
    demoLogFile: path.join(stackDir, 'demo-app', 'app.jsonl'),
    componentDir: (component) => path.join(stackDir, component),
    logFile: (component) => path.join(stackDir, 'logs', `${component}.log`),
  };
}

/**
 * Downloads unpacked once and shared by every state dir. As root, OpenSearch runs as `nobody`,
 * who cannot enter `/root` (mode 0700 on Debian), so root's cache lives under /var/cache.
 */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? -1,
): string {
  if (uid === 0) return '/var/cache/firedrill';
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'firedrill');
  return path.join(os.homedir(), '.cache', 'firedrill');
}
