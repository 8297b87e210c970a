import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(import.meta.dirname, 'fixtures/cli.ts');

/** A throwaway firedrill project: `config/firedrill.config.ts` (a plain object) and `probes/*.probe.ts`. */
export function makeProject(config: Record<string, unknown>, probes: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-project-'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  mkdirSync(path.join(dir, 'config'));
  mkdirSync(path.join(dir, 'probes'));
  writeFileSync(
    path.join(dir, 'config/firedrill.config.ts'),
    `export default ${JSON.stringify(config, null, 2)};\n`,
  );
  for (const [name, text] of Object.entries(probes)) writeFileSync(path.join(dir, 'probes', name), text);
  return dir;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against a project, from the repo so `--import tsx` resolves. */
export function runCli(project: string, args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, '-c', path.join(project, 'config/firedrill.config.ts'), ...args],
      {
        cwd: REPO,
        env: { ...process.env, FIREDRILL_LOG_FORMAT: 'json', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
