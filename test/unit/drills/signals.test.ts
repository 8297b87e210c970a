import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = path.resolve(import.meta.dirname, 'fixtures/interrupted-drill.mts');

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s during a drill', (sig, code) => {
  it(`rolls the fault back, skips the rest, exits ${code}`, async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'firedrill-signal-'));
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, stateDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('INJECTED')) resolve();
      });
      child.once('exit', (c) => reject(new Error(`child exited ${c} before injecting: ${err}`)));
    });
    await new Promise((r) => setTimeout(r, 500));
    child.kill(sig);
    // A second signal during the rollback must not cut it short.
    setTimeout(() => child.exitCode === null && child.kill(sig), 50);
    const exit = await new Promise<number | null>((r) => {
      if (child.exitCode !== null) r(child.exitCode);
      else child.once('exit', r);
    });
    expect(exit, err).toBe(code);
    const report = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(report.signal).toBe(sig);
    expect(report.faults).toEqual([]);
    expect(report.results).toEqual([
      { id: 'interrupted', status: 'error', error: `interrupted by ${sig}`, rollback: 'pass' },
      { id: 'second', status: 'skipped', error: 'not run: the drill run was interrupted' },
    ]);
    // An interrupted condition decided nothing: it says so, never "never fired within 30s" after a second.
    const undecided = report.conditions.filter((c: unknown[]) => c[2] !== 'pass');
    expect(undecided.length, JSON.stringify(report.conditions)).toBeGreaterThan(0);
    for (const [id, , status, message] of undecided) {
      expect(id).toBe('interrupted');
      expect(status).toBe('error');
      expect(message).toMatch(
        new RegExp(`^interrupted [\\d.]+m?s in, before it was decided \\(interrupted by ${sig}\\)$`),
      );
    }
    expect(readdirSync(path.join(stateDir, 'journal'))).toEqual([]);
  }, 40_000);
});
