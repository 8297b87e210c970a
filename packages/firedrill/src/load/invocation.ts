import path from 'node:path';
import type { K6Runtime } from './find-k6.ts';

/**
 * How to start k6 and what paths it sees. A binary sees the host's paths; the `grafana/k6` image
 * sees the scenarios directory at /scenarios (read-only) and the run's output directory at /out.
 */
export interface K6Command {
  command: string;
  /** Arguments before k6's own (`docker run … image`); empty for a binary. */
  prefix: string[];
  /** A host path as k6 must be given it. */
  k6Path(hostPath: string): string;
}

export interface K6Mounts {
  scenariosDir: string;
  outDir: string;
  /** Environment variables k6 must see (values stay in the environment, never on a command line). */
  passEnv: readonly string[];
}

function under(dir: string, file: string): string | undefined {
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
}

export function k6Command(k6: K6Runtime, mounts: K6Mounts): K6Command {
  if (k6.kind === 'binary') return { command: k6.path, prefix: [], k6Path: (p) => p };
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    command: 'docker',
    prefix: [
      'run',
      '--rm',
      // Host networking: the stack and the demo app listen on the host's loopback.
      '--network=host',
      // Files k6 writes into /out belong to the user, not root.
      `--user=${uid}:${gid}`,
      `--volume=${mounts.scenariosDir}:/scenarios:ro`,
      `--volume=${mounts.outDir}:/out`,
      ...mounts.passEnv.flatMap((name) => ['--env', name]),
      k6.image,
    ],
    k6Path(hostPath) {
      const inScenarios = under(mounts.scenariosDir, hostPath);
      if (inScenarios !== undefined) return path.posix.join('/scenarios', ...inScenarios.split(path.sep));
      const inOut = under(mounts.outDir, hostPath);
      if (inOut !== undefined) return path.posix.join('/out', ...inOut.split(path.sep));
      throw new Error(
        `${hostPath} is outside what the k6 container sees (${mounts.scenariosDir}, ${mounts.outDir})`,
      );
    },
  };
}
