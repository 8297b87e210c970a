import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chooseExecutable,
  missingChromiumMessage,
  resolveExecutable,
} from '../../../../packages/firedrill/src/probes/browser/chromium.ts';

describe('Chromium executable', () => {
  it.each([
    {
      option: '/opt/chrome',
      env: { FIREDRILL_CHROMIUM: '/env/chromium' },
      path: '/opt/chrome',
      source: 'option',
    },
    {
      option: undefined,
      env: { FIREDRILL_CHROMIUM: '/env/chromium' },
      path: '/env/chromium',
      source: 'FIREDRILL_CHROMIUM',
    },
    { option: undefined, env: { FIREDRILL_CHROMIUM: '' }, path: '/usr/bin/chromium', source: 'default' },
    { option: undefined, env: {}, path: '/usr/bin/chromium', source: 'default' },
  ])('option $option, env $env → $path', ({ option, env, path, source }) => {
    expect(chooseExecutable(option, env)).toEqual({ path, source });
  });

  it.each([
    {
      option: '/nowhere/chromium',
      env: {},
      message:
        'Chromium not found at /nowhere/chromium (from the executablePath option). Install it with `apt-get install -y chromium`.',
    },
    {
      option: undefined,
      env: { FIREDRILL_CHROMIUM: '/nowhere/env-chromium' },
      message:
        'Chromium not found at /nowhere/env-chromium (from $FIREDRILL_CHROMIUM). Install it with `apt-get install -y chromium`.',
    },
  ])(
    'a missing binary names the path, where it came from, and the install command ($option)',
    async ({ option, env, message }) => {
      await expect(resolveExecutable(option, env)).rejects.toThrow(message);
    },
  );

  it('the default path error says how to choose another binary', () => {
    expect(missingChromiumMessage({ path: '/usr/bin/chromium', source: 'default' })).toBe(
      'Chromium not found at /usr/bin/chromium (the default; set $FIREDRILL_CHROMIUM or executablePath to use another). ' +
        'Install it with `apt-get install -y chromium`.',
    );
  });

  it('a non-executable file is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fd-chromium-'));
    const file = join(dir, 'chromium');
    await writeFile(file, '#!/bin/sh\n');
    await chmod(file, 0o644);
    await expect(resolveExecutable(file, {})).rejects.toThrow(`Chromium not found at ${file}`);
    await chmod(file, 0o755);
    await expect(resolveExecutable(file, {})).resolves.toEqual({ path: file, source: 'option' });
  });
});
