import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stackLogs } from '../../../packages/firedrill/src/stack/logs.ts';
import { stackPaths } from '../../../packages/firedrill/src/stack/paths.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-logs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function collect() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { out, text: () => text };
}

describe('stackLogs', () => {
  it('prints the last lines of a component log', async () => {
    const file = stackPaths(dir).logFile('prometheus');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'a\nb\nc\nd\n');
    const { out, text } = collect();
    await stackLogs({ config: { stateDir: dir }, root: '/', component: 'prometheus', lines: 2, output: out });
    expect(text()).toBe('c\nd\n');
  });

  it('follows what is appended until aborted', async () => {
    const file = stackPaths(dir).logFile('alertmanager');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'old\n');
    const { out, text } = collect();
    const ac = new AbortController();
    const following = stackLogs({
      config: { stateDir: dir },
      root: '/',
      component: 'alertmanager',
      follow: true,
      signal: ac.signal,
      output: out,
    });
    await new Promise((r) => setTimeout(r, 100));
    await appendFile(file, 'new line\n');
    while (!text().includes('new line')) await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await following;
    expect(text()).toBe('old\nnew line\n');
  });

  it('says so when the component never ran', async () => {
    await expect(
      stackLogs({ config: { stateDir: dir }, root: '/', component: 'opensearch' }),
    ).rejects.toThrow(
      `opensearch has no log yet (${stackPaths(dir).logFile('opensearch')}); has \`firedrill stack up\` started it?`,
    );
  });
});
