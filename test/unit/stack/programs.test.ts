import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classDataSharingFlags } from '../../../packages/firedrill/src/stack/components/opensearch-jvm.ts';
import { defaultCacheDir } from '../../../packages/firedrill/src/stack/paths.ts';
import {
  findJavaHome,
  findProgram,
  PROGRAMS,
  requireProgram,
} from '../../../packages/firedrill/src/stack/programs.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-programs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakeJdk(name: string, version: string): Promise<string> {
  const home = path.join(dir, name);
  await mkdir(path.join(home, 'bin'), { recursive: true });
  await writeFile(path.join(home, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(
    path.join(home, 'release'),
    `JAVA_VERSION="${version}"\nJAVA_RUNTIME_VERSION="${version}+1"\n`,
  );
  return home;
}

describe('programs', () => {
  it.each([
    [
      'prometheus-pushgateway or pushgateway',
      PROGRAMS.pushgateway,
      'apt-get install -y prometheus-pushgateway, or name one with FIREDRILL_PUSHGATEWAY_BIN',
    ],
    [
      'prometheus-alertmanager or alertmanager',
      PROGRAMS.alertmanager,
      'apt-get install -y prometheus-alertmanager, or name one with FIREDRILL_ALERTMANAGER_BIN',
    ],
    ['rsyslogd', PROGRAMS.rsyslogd, 'apt-get install -y rsyslog'],
    ['mvn', PROGRAMS.mvn, 'apt-get install -y maven'],
  ])('a missing %s names itself and the command that installs it', (name, program, hint) => {
    const missing = { ...program, paths: ['/nonexistent/bin/x'] };
    const before = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requireProgram(missing)).toThrow(
        `${name} not found (looked in /nonexistent/bin/x and $PATH); install it with: ${hint}`,
      );
    } finally {
      process.env.PATH = before;
    }
  });

  it('finds a program on PATH when it is not where Debian puts it', async () => {
    const bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'prometheus'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findProgram({ ...PROGRAMS.prometheus, paths: [] }, bin)).toBe(path.join(bin, 'prometheus'));
  });
});

describe('choosing a generation', () => {
  it("runs the binary a variable names before Debian's, and upstream's name on PATH", async () => {
    const bin = path.join(dir, 'gen3');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'alertmanager'), '#!/bin/sh\n', { mode: 0o755 });
    const am = path.join(bin, 'alertmanager');
    expect(findProgram(PROGRAMS.alertmanager, '/nonexistent', { FIREDRILL_ALERTMANAGER_BIN: am })).toBe(am);
    expect(findProgram({ ...PROGRAMS.alertmanager, paths: [] }, bin, {})).toBe(am);
  });

  it('refuses a variable naming no executable, rather than falling back', () => {
    expect(() =>
      findProgram(PROGRAMS.prometheus, '', { FIREDRILL_PROMETHEUS_BIN: '/nonexistent/prometheus' }),
    ).toThrow('FIREDRILL_PROMETHEUS_BIN=/nonexistent/prometheus: not an executable file');
  });
});

describe('findJavaHome', () => {
  it('takes $JAVA_HOME when it is a Java OpenSearch 2 runs on', async () => {
    const home = await fakeJdk('jdk17', '17.0.15');
    expect(findJavaHome(undefined, { JAVA_HOME: home, PATH: '/nonexistent' })).toBe(home);
  });

  it('refuses Java 24 and later, which lack the SecurityManager OpenSearch 2 installs', async () => {
    const home = await fakeJdk('jdk25', '25.0.1');
    expect(() => findJavaHome(home)).toThrow(
      `stack.opensearch.javaHome: ${home} is not a Java 11 to 23 home (bin/java and release file)`,
    );
  });

  it('refuses Java 8', async () => {
    const home = await fakeJdk('jdk8', '1.8.0_392');
    expect(() => findJavaHome(home)).toThrow('is not a Java 11 to 23 home');
  });
});

describe('defaultCacheDir', () => {
  it.each([
    [0, {}, '/var/cache/firedrill'],
    [1000, { XDG_CACHE_HOME: '/home/u/.cache' }, '/home/u/.cache/firedrill'],
    [1000, {}, path.join(os.homedir(), '.cache', 'firedrill')],
  ])('uid %i → %s', (uid, env, want) => {
    expect(defaultCacheDir(env, uid)).toBe(want);
  });
});

describe('class-data archive', () => {
  // The usability check runs the real JVM; a fake JDK's `java` (a shell script that exits 0) accepts anything.
  it('records on the first run, maps it afterwards and shares it; records afresh when the JVM flags change', async () => {
    const cds = path.join(dir, 'cds');
    const sharedDir = path.join(dir, 'shared');
    await mkdir(cds, { recursive: true });
    const javaHome = await fakeJdk('jdk-cds', '17.0.15');
    const archive = path.join(cds, 'opensearch.jsa');
    const flags = (options: string[], at = cds) =>
      classDataSharingFlags({ dir: at, sharedDir, javaHome, home: '/opt/os', options });
    expect(await flags(['-Xmx512m'])).toEqual(['-Xshare:auto', `-XX:ArchiveClassesAtExit=${archive}`]);
    // Still running (no archive yet): the same flags, so the running node is reused.
    expect(await flags(['-Xmx512m'])).toContain(`-XX:ArchiveClassesAtExit=${archive}`);
    await writeFile(archive, 'archive written by the JVM at exit');
    expect(await flags(['-Xmx512m'])).toEqual(['-Xshare:auto', `-XX:SharedArchiveFile=${archive}`]);
    // Another state dir's first start maps the published copy.
    const other = path.join(dir, 'cds-other');
    await mkdir(other);
    const [, mapped] = await flags(['-Xmx512m'], other);
    expect(mapped).toMatch(new RegExp(`^-XX:SharedArchiveFile=${sharedDir}/opensearch-[0-9a-f]{16}\\.jsa$`));
    // Paths and -D properties do not change the key; heap and collector flags do.
    expect(await flags(['-Xmx512m', '-Djava.io.tmpdir=/elsewhere'])).toContain(
      `-XX:SharedArchiveFile=${archive}`,
    );
    expect(await flags(['-Xmx1024m'])).toContain(`-XX:ArchiveClassesAtExit=${archive}`);
  });
});
