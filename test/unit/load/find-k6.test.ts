import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findK6,
  installedK6Path,
  K6NotFoundError,
  parseK6Version,
  runsTypeScriptNatively,
} from '../../../packages/firedrill/src/load/find-k6.ts';
import { captured, realK6 } from './helpers.ts';

describe('k6 version', () => {
  it.each([
    [captured.k6Version, { major: 1, minor: 1, patch: 0 }],
    [
      'k6 v0.45.0 (2023-06-19T08:40:34+0000/v0.45.0-0-gcd3fb1d, go1.20.5, linux/amd64)',
      { major: 0, minor: 45, patch: 0 },
    ],
    ['some banner\nk6 v0.57.0 (commit/abc, go1.23, linux/amd64)\n', { major: 0, minor: 57, patch: 0 }],
  ])('parses %j', (text, expected) => {
    expect(parseK6Version(text)).toMatchObject(expected);
  });

  it('finds no version in something else', () => {
    expect(parseK6Version('Usage: k6 [command]')).toBeUndefined();
  });

  it.each([
    [{ major: 0, minor: 56 }, false],
    [{ major: 0, minor: 57 }, true],
    [{ major: 1, minor: 0 }, true],
  ])('TypeScript without a bundler on %j: %s', (v, native) => {
    expect(runsTypeScriptNatively(v)).toBe(native);
  });
});

describe('findK6', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'find-k6-'));
    // Stand-ins for "some k6 on PATH": the finder's order and version handling are under test
    // here, not k6 (the runner tests use the real binary).
    await writeFile(
      path.join(dir, 'k6'),
      '#!/bin/sh\necho "k6 v0.46.0 (2023-08-14T13:23:26+0000/v0.46.0-0-gcbd9e9ad, go1.20.7, linux/amd64)"\n',
    );
    await chmod(path.join(dir, 'k6'), 0o755);
    await writeFile(path.join(dir, 'not-k6'), '#!/bin/sh\necho hello\n');
    await chmod(path.join(dir, 'not-k6'), 0o755);
    await writeFile(path.join(dir, 'plain-file'), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const noInstall = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    K6_INSTALL_DIR: path.join(dir, 'none'),
    ...extra,
  });

  it('takes k6 from PATH and reads its version', async () => {
    const k6 = await findK6({ env: noInstall({ PATH: dir }), docker: false });
    expect(k6).toMatchObject({ kind: 'binary', path: path.join(dir, 'k6'), source: 'PATH' });
    expect(k6.version).toMatchObject({ major: 0, minor: 46 });
  });

  it('a K6_BIN that does not work is an error, never a fall-through to PATH', async () => {
    const env = noInstall({ PATH: dir, K6_BIN: path.join(dir, 'not-k6') });
    await expect(findK6({ env, docker: false })).rejects.toThrow(
      `no usable k6 found:\n  - K6_BIN=${path.join(dir, 'not-k6')}: \`${path.join(dir, 'not-k6')} version\` printed no k6 version: hello`,
    );
    await expect(
      findK6({ env: { ...env, K6_BIN: path.join(dir, 'plain-file') }, docker: false }),
    ).rejects.toThrow(
      `K6_BIN=${path.join(dir, 'plain-file')}: ${path.join(dir, 'plain-file')} is not executable`,
    );
  });

  it('lists every place it looked when there is no k6', async () => {
    const env = noInstall({ PATH: path.join(dir, 'empty') });
    const err = await findK6({ env, docker: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(K6NotFoundError);
    expect((err as K6NotFoundError).attempts).toEqual([
      'K6_BIN is not set',
      'no k6 on PATH',
      `nothing at ${path.join(dir, 'none', 'k6')} (where scripts/install-k6.sh installs it)`,
    ]);
    expect((err as Error).message).toContain('install one with scripts/install-k6.sh');
  });

  it.each([
    [{ K6_INSTALL_DIR: '/opt/k6' }, '/opt/k6/k6'],
    [{ XDG_CACHE_HOME: '/c', HOME: '/h' }, '/c/firedrill/bin/k6'],
    [{ HOME: '/h' }, '/h/.cache/firedrill/bin/k6'],
  ])('install location for %j is %s (as in scripts/install-k6.sh)', (env, expected) => {
    expect(installedK6Path(env)).toBe(expected);
  });

  it('finds the real k6 this machine has', async (ctx) => {
    const real = await realK6();
    if (!real.k6) return ctx.skip(real.reason);
    expect(real.k6.kind).toBe('binary');
    expect(runsTypeScriptNatively(real.k6.version)).toBe(true);
  });
});
