import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { PROGRAMS, requireProgram } from '../programs.ts';
import { StackError } from '../types.ts';

const run = promisify(execFile);

/** The distribution without plugins (only transport-netty4), published to Maven Central for integration tests. */
export function opensearchArtifact(version: string): { coordinates: string; zip: string } {
  return {
    coordinates: `org.opensearch.distribution.integ-test-zip:opensearch:${version}:zip`,
    // Maven's local repository hangs off Java's user.home, which comes from the passwd entry, not $HOME.
    zip: path.join(
      os.userInfo().homedir,
      '.m2/repository/org/opensearch/distribution/integ-test-zip/opensearch',
      version,
      `opensearch-${version}.zip`,
    ),
  };
}

const COMPLETE_MARK = '.firedrill-complete';

async function fetchZip(version: string, logger: Logger, signal?: AbortSignal): Promise<string> {
  const { coordinates, zip } = opensearchArtifact(version);
  if (existsSync(zip)) return zip;
  const mvn = requireProgram(PROGRAMS.mvn);
  logger.info({ coordinates }, `fetching OpenSearch ${version} from Maven Central`);
  try {
    await run(mvn, ['-q', '-B', 'dependency:get', `-Dartifact=${coordinates}`, '-Dtransitive=false'], {
      ...(signal ? { signal } : {}),
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    signal?.throwIfAborted();
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new StackError(
      `opensearch: \`mvn dependency:get -Dartifact=${coordinates}\` failed: ${(e.stdout || e.stderr || e.message).trim().slice(-2000)}`,
    );
  }
  if (!existsSync(zip)) {
    throw new StackError(
      `opensearch: mvn reported success but ${zip} is missing (a custom localRepository?)`,
    );
  }
  return zip;
}

/**
 * OpenSearch unpacked once into the cache, shared by every state dir and left read-only to the
 * node (its config, data and logs live in the state dir). Unpacked beside its final place and
 * renamed, so a half-done unpack is never taken for a complete one.
 */
export async function ensureOpensearchHome(
  version: string,
  cacheDir: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<string> {
  const home = path.join(cacheDir, `opensearch-${version}`);
  if (existsSync(path.join(home, COMPLETE_MARK))) return home;
  const zip = await fetchZip(version, logger, signal);
  const unzip = requireProgram(PROGRAMS.unzip);
  await mkdir(cacheDir, { recursive: true });
  const tmp = path.join(cacheDir, `.unpack-${process.pid}-${Date.now()}`);
  logger.info({ zip, home }, `unpacking OpenSearch ${version}`);
  try {
    await run(unzip, ['-q', '-o', zip, '-d', tmp], signal ? { signal } : {});
    // Read and enter for everyone: as root the node runs as nobody.
    await run('chmod', ['-R', 'a+rX', tmp]);
    await writeFile(path.join(tmp, `opensearch-${version}`, COMPLETE_MARK), `${new Date().toISOString()}\n`);
    await rename(path.join(tmp, `opensearch-${version}`), home);
  } catch (err) {
    // rename() fails when another `up` unpacked it first; theirs is complete (marked before rename).
    if (existsSync(path.join(home, COMPLETE_MARK))) return home;
    throw err instanceof StackError
      ? err
      : new StackError(`opensearch: unpacking ${zip} failed: ${(err as Error).message}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return home;
}

/** Numeric uid and gid of an account (chown needs numbers), from /etc/passwd and /etc/group. */
export function lookupAccount(user: string, group: string): { uid: number; gid: number } {
  const find = (file: string, name: string): number | undefined => {
    try {
      const line = readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.split(':')[0] === name);
      return line ? Number(line.split(':')[2]) : undefined;
    } catch {
      return undefined;
    }
  };
  const uid = find('/etc/passwd', user);
  const gid = find('/etc/group', group);
  if (uid === undefined || gid === undefined)
    throw new StackError(`opensearch: no account ${user}:${group} to run as`);
  return { uid, gid };
}
