import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createShellFault, runCommand, shell } from '../../../packages/firedrill/src/faults/shell.ts';
import type { FaultContext } from '../../../packages/firedrill/src/faults/types.ts';

const ctx: FaultContext = {
  target: { baseUrl: 'http://127.0.0.1:9' },
  drillId: 'd',
  runId: 'd-1',
  signal: new AbortController().signal,
  logger: pino({ enabled: false }),
  recordRequestId: () => {},
};

describe('shell fault', () => {
  it('runs inject and rollback commands', async () => {
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'shell-')), 'down');
    const f = createShellFault(shell({ inject: `touch ${marker}`, rollback: `rm ${marker}` }));
    await f.inject(ctx);
    expect(existsSync(marker)).toBe(true);
    expect((await f.rollback(ctx)).cleared).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('fails with the exit code and stderr', async () => {
    const f = createShellFault(shell({ inject: 'echo no such container >&2; exit 3', rollback: 'true' }));
    await expect(f.inject(ctx)).rejects.toThrow(
      'command failed (exit 3): echo no such container >&2; exit 3: no such container',
    );
  });

  it('kills the whole process group at the timeout', async () => {
    const started = Date.now();
    // The grandchild `sleep` would outlive a kill of `sh` alone.
    await expect(runCommand('sleep 30 & wait', 300)).rejects.toThrow(
      'command timed out after 300 ms: sleep 30 & wait',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
