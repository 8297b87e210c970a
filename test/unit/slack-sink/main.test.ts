import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SlackClient } from '../../../packages/firedrill/src/clients/slack.ts';
import { exited, spawn, stop, waitForLine } from './process.ts';

const main = fileURLToPath(new URL('../../../packages/firedrill/src/slack-sink/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'slack-sink-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slack-sink main', () => {
  it('starts from env, logs the listening URL, persists, and exits 0 on SIGTERM', async () => {
    const dataFile = join(dir, 'sink.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        SINK_PORT: '0',
        SINK_DATA_FILE: dataFile,
        SINK_CHANNELS: 'alerts-critical,#reports',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await waitForLine(child, (l) => l.includes('"msg":"listening"'), 15_000);
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const slack = new SlackClient({ apiUrl: `${url}/api`, token: 'xoxb-any' });
      expect((await slack.listChannels()).map((c) => c.name)).toEqual(['alerts-critical', 'reports']);
      const res = await fetch(`${url}/hooks/alerts-new`, { method: 'POST', body: '{"text":"hi"}' });
      expect(await res.text()).toBe('ok');
      expect(readFileSync(dataFile, 'utf8')).toContain('"text":"hi"');
    } finally {
      expect(await stop(child)).toEqual({ code: 0, signal: null });
    }
  });

  it('refuses a bad SINK_PORT with a plain message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, SINK_PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = exited(child);
    const line = await waitForLine(child, (l) => l.includes('failed to start'), 15_000);
    expect(line).toContain('SINK_PORT: expected a port number, got \\"eighty\\"');
    expect(await done).toBe(1);
  });
});
