import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface DemoProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The demo app in its own process, as a user would run it, so its request handling never shares
 * an event loop with the Playwright client being measured.
 */
export async function startDemoProcess(env: Record<string, string> = {}): Promise<DemoProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'demo-app/src/main.ts'], {
    env: { ...process.env, DEMO_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('demo app did not log "listening" within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`demo app exited with ${code} before listening`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // Not JSON: ignore.
      }
    });
  });
  // Keep draining: the app writes its logs synchronously, and a full pipe would stall it.
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
