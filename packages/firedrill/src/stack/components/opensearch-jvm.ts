import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from '../types.ts';

const run = promisify(execFile);

/**
 * Startup flags for a small single-node log store on a busy 2-core machine. Measured at load 10:
 * the stock options took 19–28 s to a yellow cluster; C1 only (no C2 compiler threads competing
 * for the cores), no pre-touching of the heap, and the serial collector took 7–8 s; with the
 * class-data archive below, 4 s.
 */
export const STARTUP_JAVA_OPTS = ['-XX:TieredStopAtLevel=1', '-XX:-AlwaysPreTouch'];

/** Collector lines of the distribution's jvm.options, replaced by the serial collector (two collectors is a JVM error). */
const COLLECTOR_LINE =
  /^(?:\d+(?:-\d*)?:)?-XX:(?:\+UseG1GC|G1ReservePercent=|InitiatingHeapOccupancyPercent=|\+UseConcMarkSweepGC|CMSInitiatingOccupancyFraction=|\+UseCMSInitiatingOccupancyOnly)/;

/**
 * The distribution's jvm.options with the heap from config, the serial collector, and every
 * relative path made absolute: the JVM resolves `logs/gc.log` and `HeapDumpPath=data` against
 * its working directory.
 */
export function patchJvmOptions(
  text: string,
  opts: { heapMb: number; dataDir: string; logsDir: string },
): string {
  const out: string[] = [];
  let collectorAdded = false;
  for (const line of text.split('\n')) {
    if (COLLECTOR_LINE.test(line)) {
      if (!collectorAdded) out.push('-XX:+UseSerialGC');
      collectorAdded = true;
      continue;
    }
    if (/^-Xms\S+$/.test(line)) out.push(`-Xms${opts.heapMb}m`);
    else if (/^-Xmx\S+$/.test(line)) out.push(`-Xmx${opts.heapMb}m`);
    else {
      out.push(
        line
          .replace(/HeapDumpPath=data\b/, `HeapDumpPath=${opts.dataDir}`)
          .replace(/(^|[=:])logs\//g, `$1${opts.logsDir}/`),
      );
    }
  }
  return out.join('\n');
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The JDK's own version string: an upgraded JDK must not reuse options or archives made for the old one. */
export function javaRelease(javaHome: string): string {
  try {
    return (
      /^JAVA_RUNTIME_VERSION="([^"]+)"/m.exec(readFileSync(path.join(javaHome, 'release'), 'utf8'))?.[1] ?? ''
    );
  } catch {
    return '';
  }
}

/**
 * The final JVM options, as `bin/opensearch` computes them with OpenSearch's JvmOptionsParser
 * (its system options, jvm.options, OPENSEARCH_JAVA_OPTS, then ergonomics such as
 * MaxDirectMemorySize). The script runs that parser, a Java version check and a keystore tool,
 * three JVMs before the node's own; the stack runs the parser once per change and launches
 * the node's JVM directly.
 */
export async function resolveJvmOptions(opts: {
  home: string;
  javaHome: string;
  configDir: string;
  tmpDir: string;
  javaOpts: string;
  cacheFile: string;
}): Promise<string[]> {
  const jvmOptions = await readFile(path.join(opts.configDir, 'jvm.options'), 'utf8');
  const key = hash([opts.home, javaRelease(opts.javaHome), jvmOptions, opts.javaOpts, opts.tmpDir]);
  if (existsSync(opts.cacheFile)) {
    const cached = JSON.parse(await readFile(opts.cacheFile, 'utf8')) as { key: string; options: string[] };
    if (cached.key === key) return cached.options;
  }
  let stdout: string;
  try {
    ({ stdout } = await run(
      path.join(opts.javaHome, 'bin', 'java'),
      [
        '-Xshare:auto',
        '-cp',
        `${opts.home}/lib/*`,
        'org.opensearch.tools.launchers.JvmOptionsParser',
        opts.configDir,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          OPENSEARCH_TMPDIR: opts.tmpDir,
          OPENSEARCH_JAVA_OPTS: opts.javaOpts,
        },
      },
    ));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new StackError(
      `opensearch: JvmOptionsParser failed: ${(e.stderr || e.stdout || e.message).trim()}`,
    );
  }
  // The script splits this output on whitespace too (unquoted `$OPENSEARCH_JAVA_OPTS`).
  const options = stdout.trim().split(/\s+/).filter(Boolean);
  await writeFile(opts.cacheFile, JSON.stringify({ key, options }));
  return options;
}

/** Whether the JVM accepts an archive (`-Xshare:on` fails instead of silently running without). */
async function archiveUsable(javaHome: string, home: string, archive: string): Promise<boolean> {
  try {
    await run(path.join(javaHome, 'bin', 'java'), [
      '-Xshare:on',
      `-XX:SharedArchiveFile=${archive}`,
      '-cp',
      `${home}/lib/*`,
      '-version',
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Class-data sharing: a node's first run records the classes it loaded into an archive as it
 * exits (on `down`); later runs map that archive instead of loading and verifying some ten
 * thousand classes again, which halves startup. Once checked, an archive is also published to
 * the cache, where any state dir's first start finds it. An archive fits one JDK build, one
 * distribution and one set of JVM flags; with another the JVM would ignore it, so those are its key.
 */
export async function classDataSharingFlags(opts: {
  /** The state dir's own folder (writable by the node's user). */
  dir: string;
  /** Shared by every state dir; read-only to the node. */
  sharedDir: string;
  javaHome: string;
  home: string;
  options: string[];
}): Promise<string[]> {
  const flags = opts.options.filter((o) => !o.startsWith('-D') && !o.includes('/'));
  const key = hash([javaRelease(opts.javaHome), opts.home, flags]);
  const local = path.join(opts.dir, 'opensearch.jsa');
  const keyFile = path.join(opts.dir, 'opensearch.jsa.key');
  const shared = path.join(opts.sharedDir, `opensearch-${key}.jsa`);
  const recorded = existsSync(keyFile) ? (await readFile(keyFile, 'utf8')).trim() : '';
  if (recorded === key && existsSync(local)) {
    if (existsSync(shared)) return ['-Xshare:auto', `-XX:SharedArchiveFile=${local}`];
    // A node killed while writing leaves a broken archive: check it before trusting or sharing it.
    if (await archiveUsable(opts.javaHome, opts.home, local)) {
      await mkdir(opts.sharedDir, { recursive: true });
      const tmp = `${shared}.${process.pid}.tmp`;
      await copyFile(local, tmp);
      await rename(tmp, shared);
      return ['-Xshare:auto', `-XX:SharedArchiveFile=${local}`];
    }
  }
  if (existsSync(shared)) return ['-Xshare:auto', `-XX:SharedArchiveFile=${shared}`];
  await rm(local, { force: true });
  await writeFile(keyFile, `${key}\n`);
  return ['-Xshare:auto', `-XX:ArchiveClassesAtExit=${local}`];
}
