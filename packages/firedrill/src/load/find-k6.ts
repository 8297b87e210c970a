import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SetupError } from '../core/errors.ts';

const run = promisify(execFile);

/** k6 runs `.ts` files itself from this version on; older ones get an esbuild bundle. */
export const K6_NATIVE_TS = { major: 0, minor: 57 } as const;
/** The image used when only Docker is there: the version `scripts/install-k6.sh` pins. */
export const K6_DOCKER_IMAGE = 'grafana/k6:1.1.0';

export interface K6Version {
  major: number;
  minor: number;
  patch: number;
  /** The whole first line of `k6 version`. */
  text: string;
}

export type K6Runtime =
  | { kind: 'binary'; path: string; version: K6Version; source: string }
  | { kind: 'docker'; image: string; version: K6Version; source: string };

export class K6NotFoundError extends SetupError {
  override name = 'K6NotFoundError';
  override readonly type = 'k6-missing';
  constructor(readonly attempts: string[]) {
    super(`no usable k6 found:\n${attempts.map((a) => `  - ${a}`).join('\n')}
install one with scripts/install-k6.sh, put k6 on PATH, or set K6_BIN=/path/to/k6`);
  }
}

/** `k6 v1.1.0 (commit/0e3fb953be, go1.24.4, linux/amd64)` and 0.4x's `k6 v0.45.0 (2023-06-19T…)`. */
export function parseK6Version(output: string): K6Version | undefined {
  const line = output.split('\n').find((l) => /\bk6 v\d/.test(l));
  const m = line ? /\bk6 v(\d+)\.(\d+)\.(\d+)/.exec(line) : null;
  if (!line || !m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: line.trim() };
}

export function runsTypeScriptNatively(v: Pick<K6Version, 'major' | 'minor'>): boolean {
  return v.major > K6_NATIVE_TS.major || (v.major === K6_NATIVE_TS.major && v.minor >= K6_NATIVE_TS.minor);
}

/** Where `scripts/install-k6.sh` puts k6 (it honours the same variables). */
export function installedK6Path(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K6_INSTALL_DIR) return path.join(env.K6_INSTALL_DIR, 'k6');
  const cache = env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), '.cache');
  return path.join(cache, 'firedrill', 'bin', 'k6');
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function versionOf(bin: string): Promise<K6Version | string> {
  try {
    const { stdout } = await run(bin, ['version'], { timeout: 10_000 });
    return (
      parseK6Version(stdout) ?? `\`${bin} version\` printed no k6 version: ${stdout.trim().slice(0, 120)}`
    );
  } catch (err) {
    return `\`${bin} version\` failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

export interface FindK6Options {
  env?: NodeJS.ProcessEnv;
  /** Try `docker run grafana/k6` when no binary is found. @defaultValue true */
  docker?: boolean;
}

/**
 * Finds k6, in order: `K6_BIN` (which must work when set — a typo should not silently fall
 * through to another k6), `k6` on PATH, the install script's location, then the `grafana/k6`
 * image if a Docker engine answers. The error lists every place tried and why each failed.
 */
export async function findK6(opts: FindK6Options = {}): Promise<K6Runtime> {
  const env = opts.env ?? process.env;
  const attempts: string[] = [];

  if (env.K6_BIN) {
    const v = (await isExecutable(env.K6_BIN))
      ? await versionOf(env.K6_BIN)
      : `${env.K6_BIN} is not executable`;
    if (typeof v !== 'string') return { kind: 'binary', path: env.K6_BIN, version: v, source: 'K6_BIN' };
    throw new K6NotFoundError([`K6_BIN=${env.K6_BIN}: ${v}`]);
  }
  attempts.push('K6_BIN is not set');

  const candidates: Array<{ file: string; source: string }> = [];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    candidates.push({ file: path.join(dir, 'k6'), source: 'PATH' });
  }
  candidates.push({ file: installedK6Path(env), source: 'scripts/install-k6.sh' });
  let onPath = false;
  for (const c of candidates) {
    if (!(await isExecutable(c.file))) continue;
    onPath ||= c.source === 'PATH';
    const v = await versionOf(c.file);
    if (typeof v !== 'string') return { kind: 'binary', path: c.file, version: v, source: c.source };
    attempts.push(`${c.file}: ${v}`);
  }
  if (!onPath) attempts.push('no k6 on PATH');
  if (!(await isExecutable(installedK6Path(env)))) {
    attempts.push(`nothing at ${installedK6Path(env)} (where scripts/install-k6.sh installs it)`);
  }

  if (opts.docker !== false) {
    const docker = await dockerEngine();
    if (docker === true) {
      const tag = K6_DOCKER_IMAGE.split(':')[1] ?? '';
      const version = parseK6Version(`k6 v${tag}`)!;
      return { kind: 'docker', image: K6_DOCKER_IMAGE, version, source: 'docker' };
    }
    attempts.push(docker);
  }
  throw new K6NotFoundError(attempts);
}

/** True when a Docker engine answers within 3 s; otherwise why not. */
async function dockerEngine(): Promise<true | string> {
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 3_000 });
    return true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    if (e.code === 'ENOENT') return 'no docker command for the grafana/k6 image';
    if (e.killed) return 'the Docker engine did not answer within 3 s';
    const why = (e.stderr ?? e.message).trim().split('\n').at(-1) ?? 'no answer';
    return `Docker engine not answering (${why})`;
  }
}

export function describeK6(k6: K6Runtime): string {
  return k6.kind === 'binary'
    ? `${k6.version.text} at ${k6.path} (${k6.source})`
    : `${k6.image} through Docker`;
}
