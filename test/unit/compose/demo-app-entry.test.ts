import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '../monitoring-config/tools.ts';

// docker/demo-app/main.ts as the container runs it: the app, and the gateway in one process
// whose exit is the app's, so Docker's restart policy restarts both.
const TOKEN = 'compose-entry-token';
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

async function startEntry(): Promise<{ gateway: string; exited: Promise<number | null> }> {
  const [appPort, gatewayPort] = [await freePort(), await freePort()];
  child = spawn(process.execPath, ['--import', 'tsx', 'docker/demo-app/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(appPort),
      GATEWAY_PORT: String(gatewayPort),
      DEMO_FAULT_TOKEN: TOKEN,
      DEMO_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${gateway}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { gateway, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker/demo-app/main.ts: no /healthz through the gateway within 20 s');
}

describe('docker/demo-app/main.ts', () => {
  it('serves the app through the gateway and stops cleanly on SIGTERM (exit 0)', async () => {
    const { gateway, exited } = await startEntry();
    expect((await fetch(`${gateway}/api/items`)).status).toBe(401);
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 1 when a crash fault ends the app, so the container restarts', async () => {
    const { gateway, exited } = await startEntry();
    const res = await fetch(`${gateway}/__faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'crash', afterMs: 0 }),
    });
    expect(res.status).toBe(201);
    expect(await exited).toBe(1);
  });
});
