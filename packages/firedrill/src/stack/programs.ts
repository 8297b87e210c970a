import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { StackError } from './types.ts';

/** A program the stack runs, where Debian puts it, and the package that provides it. */
export interface Program {
  name: string;
  /** Absolute paths tried before $PATH (Debian's sbin is not on every user's PATH). */
  paths: readonly string[];
  aptPackage: string;
  /** Other names to look for on $PATH (upstream's `alertmanager` beside Debian's `prometheus-alertmanager`). */
  aliases?: readonly string[];
  /** Variable naming the binary to run, before any other place: another generation, a local build. */
  envVar?: string;
}

export const PROGRAMS = {
  prometheus: {
    name: 'prometheus',
    paths: ['/usr/bin/prometheus'],
    aptPackage: 'prometheus',
    envVar: 'FIREDRILL_PROMETHEUS_BIN',
  },
  alertmanager: {
    name: 'prometheus-alertmanager',
    paths: ['/usr/bin/prometheus-alertmanager'],
    aptPackage: 'prometheus-alertmanager',
    aliases: ['alertmanager'],
    envVar: 'FIREDRILL_ALERTMANAGER_BIN',
  },
  pushgateway: {
    name: 'prometheus-pushgateway',
    paths: ['/usr/bin/prometheus-pushgateway'],
    aptPackage: 'prometheus-pushgateway',
    aliases: ['pushgateway'],
    envVar: 'FIREDRILL_PUSHGATEWAY_BIN',
  },
  rsyslogd: { name: 'rsyslogd', paths: ['/usr/sbin/rsyslogd'], aptPackage: 'rsyslog' },
  setpriv: { name: 'setpriv', paths: ['/usr/bin/setpriv'], aptPackage: 'util-linux' },
  unzip: { name: 'unzip', paths: ['/usr/bin/unzip'], aptPackage: 'unzip' },
  mvn: { name: 'mvn', paths: ['/usr/bin/mvn'], aptPackage: 'maven' },
} as const satisfies Record<string, Program>;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function installHint(aptPackage: string): string {
  return `apt-get install -y ${aptPackage}`;
}

export function findProgram(
  program: Program,
  envPath = process.env.PATH ?? '',
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const chosen = program.envVar ? env[program.envVar] : undefined;
  if (chosen) {
    // Named on purpose: a wrong one is an error, never a silent fall back to Debian's binary.
    if (isExecutable(chosen)) return chosen;
    throw new StackError(`${program.envVar}=${chosen}: not an executable file`);
  }
  for (const p of program.paths) if (isExecutable(p)) return p;
  for (const name of [program.name, ...(program.aliases ?? [])]) {
    for (const dir of envPath.split(path.delimiter)) {
      if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
    }
  }
  return undefined;
}

export function missingProgramMessage(program: Program): string {
  const names = [program.name, ...(program.aliases ?? [])].join(' or ');
  const chosen = program.envVar ? `, or name one with ${program.envVar}` : '';
  return `${names} not found (looked in ${program.paths.join(', ')} and $PATH); install it with: ${installHint(program.aptPackage)}${chosen}`;
}

export function requireProgram(program: Program): string {
  const found = findProgram(program);
  if (!found) throw new StackError(missingProgramMessage(program));
  return found;
}

/** Rsyslog's Elasticsearch output ships in its own Debian package. */
export function requireRsyslogModule(module: string, aptPackage: string): void {
  const dirs = [
    '/usr/lib/x86_64-linux-gnu/rsyslog',
    '/usr/lib/aarch64-linux-gnu/rsyslog',
    '/usr/lib/rsyslog',
  ];
  if (!dirs.some((d) => existsSync(path.join(d, `${module}.so`)))) {
    throw new StackError(
      `rsyslog module ${module} not found (looked in ${dirs.join(', ')}); install it with: ${installHint(aptPackage)}`,
    );
  }
}

function javaMajor(home: string): number | undefined {
  try {
    const release = readFileSync(path.join(home, 'release'), 'utf8');
    const m = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(release);
    if (!m) return undefined;
    // Java 8 and older report "1.8.0_…".
    return m[1] === '1' ? Number(m[2]) : Number(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * A Java home able to run OpenSearch 2: Java 11 to 23, because 24 removed the SecurityManager
 * that OpenSearch 2 installs at boot (Debian 12 ships 17). Tried in order: the configured one,
 * $JAVA_HOME, the `java` on PATH, then the newest fitting one under /usr/lib/jvm.
 */
export function findJavaHome(
  configured?: string,
  env: NodeJS.ProcessEnv = process.env,
  range: { min: number; max: number } = { min: 11, max: 23 },
): string {
  const wanted = `Java ${range.min} to ${range.max}`;
  const fits = (home: string): boolean => {
    const major = javaMajor(home);
    return (
      major !== undefined &&
      major >= range.min &&
      major <= range.max &&
      isExecutable(path.join(home, 'bin', 'java'))
    );
  };
  if (configured) {
    if (fits(configured)) return configured;
    throw new StackError(
      `stack.opensearch.javaHome: ${configured} is not a ${wanted} home (bin/java and release file)`,
    );
  }
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(env.JAVA_HOME);
  const onPath = findProgram({ name: 'java', paths: [], aptPackage: '' }, env.PATH);
  if (onPath) candidates.push(path.dirname(path.dirname(realpathSync(onPath))));
  try {
    const jvms = readdirSync('/usr/lib/jvm')
      .map((d) => path.join('/usr/lib/jvm', d))
      .sort((a, b) => (javaMajor(b) ?? 0) - (javaMajor(a) ?? 0));
    candidates.push(...jvms);
  } catch {}
  const found = candidates.find(fits);
  if (found) return found;
  throw new StackError(
    `no ${wanted} found for OpenSearch (tried ${candidates.join(', ') || '$JAVA_HOME, java on PATH, /usr/lib/jvm'}); install it with: ${installHint('openjdk-17-jre-headless')}`,
  );
}
