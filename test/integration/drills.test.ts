import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exitCodeFor } from '../../packages/firedrill/src/core/exit.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import { appFault, defineDrill, slackMessage } from '../../packages/firedrill/src/drills/define.ts';
import { listJournals } from '../../packages/firedrill/src/drills/journal.ts';
import { loadDrills } from '../../packages/firedrill/src/drills/loader.ts';
import { replayJournals } from '../../packages/firedrill/src/drills/replay.ts';
import { type DrillStack, drillStack, logger, root, stateDir } from './drill-helpers.ts';

let stack: DrillStack;
const results: Result[] = [];
const run: DrillStack['run'] = (drills) => stack.run(drills);

beforeAll(async () => {
  stack = await drillStack();
});

afterAll(() => {
  // The figures BENCHMARKS.md and the closing note quote.
  for (const r of results) {
    const m = r.metrics ?? {};
    process.stderr.write(
      `[drills] ${r.id.padEnd(22)} ${r.status.padEnd(5)} ${(r.durationMs / 1000).toFixed(1)}s fire=${m.hop_ms_fire ?? '-'} am=${m.hop_ms_alertmanager ?? '-'} notify=${m.hop_ms_notify ?? '-'} (expected ${m.pipeline_expected_ms_notify ?? '-'}, max ${m.pipeline_max_ms_notify ?? '-'}) own=${m.own_ms_notify ?? '-'} log=${m.hop_ms_log ?? '-'} resolve=${m.hop_ms_resolve ?? '-'}\n`,
    );
  }
});

describe('shipped drills pass against the local stack', async () => {
  const shipped = (await loadDrills(inject('projectRoot'))).map((d) => d.plan);
  it.each(shipped.map((d) => [d.id, d] as const))(
    '%s',
    async (_id, drill) => {
      const [result] = await run([drill]);
      results.push(result!);
      const failing = result!.conditions
        ?.filter((c) => c.status !== 'pass')
        .map((c) => `${c.condition.type}: ${c.message}`);
      expect(failing, result!.error?.message).toEqual([]);
      expect(result!.status).toBe('pass');
      expect(result!.rollback?.status).toBe('pass');
      expect((await listJournals(stateDir)).filter((j) => !j.ownerRunning)).toEqual([]);
    },
    150_000,
  );
});

describe('kill -9 of firedrill mid-fault', () => {
  it('the fault is gone by its TTL, and `firedrill rollback` reports and clears the journal', async () => {
    // Inside the project, so the script resolves the project's node_modules.
    const script = path.join(mkdtempSync(path.join(stateDir, 'kill9-')), 'drill.mts');
    writeFileSync(
      script,
      `
      import pino from 'pino';
      import { loadConfig } from '${root}/packages/firedrill/src/config/load.ts';
      import { appFault, defineDrill, slackMessage } from '${root}/packages/firedrill/src/drills/define.ts';
      import { resolveDrillEnvironment } from '${root}/packages/firedrill/src/drills/environment.ts';
      import { runDrills } from '${root}/packages/firedrill/src/drills/suite.ts';
      import { planOf } from '${root}/packages/firedrill/src/drills/loader.ts';
      const { config } = await loadConfig('${root}/config/firedrill.config.ts', '${root}');
      const env = await resolveDrillEnvironment(config, 'local', '${stateDir}');
      await runDrills({
        drills: [planOf({
          id: 'killed',
          fault: appFault({ kind: 'latency', latencyMs: 200, ttl: '6s' }),
          expect: [slackMessage({ channel: '#alerts-warning', alert: 'NeverComes', within: '120s' })],
        })],
        env: { ...env, webhookUrl: undefined },
        stateDir: '${stateDir}',
        root: '${root}',
        logger: pino({ enabled: false }),
        onEvent: (e) => e.phase === 'inject' && process.stdout.write('INJECTED\\n'),
      });
      `,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('INJECTED') && resolve());
      child.once('exit', (code) => reject(new Error(`drill exited ${code} before injecting: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    const faults = async () =>
      (
        (await (
          await fetch(`${stack.env.baseUrl}/__faults`, {
            headers: { authorization: `Bearer ${stack.env.faultToken}` },
          })
        ).json()) as {
          faults: { kind: string }[];
        }
      ).faults;
    expect((await faults()).map((f) => f.kind)).toEqual(['latency']);
    // The next drill sees what the dead run left, says `firedrill rollback` is due, and touches nothing.
    const [refused] = await run([
      defineDrill({
        id: 'after-kill',
        fault: appFault({ kind: 'error-rate', rate: 1, ttl: '10s' }),
        expect: [slackMessage({ channel: '#alerts-warning', alert: 'NeverComes', within: '5s' })],
        resolve: false,
      }),
    ]);
    expect(refused!.status).toBe('error');
    expect(refused!.error?.type).toBe('leftover-fault');
    expect(refused!.error?.message).toMatch(
      /^a drill that is no longer running left its faults journalled on local, and they may still be in effect: killed \(run killed-\w+, pid \d+, since [^:]+:\d\d:[\d.]+Z: app fault latency latencyMs=200 \(ttl 6s\)\)\. Run `firedrill rollback --env local` first$/,
    );
    expect(exitCodeFor([refused!])).toBe(2);
    expect(refused!.timeline?.some((e) => e.phase === 'inject')).toBe(false);
    expect((await faults()).map((f) => f.kind)).toEqual(['latency']);
    // Nothing undoes it: only its TTL.
    const deadline = Date.now() + 15_000;
    while ((await faults()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await faults()).toEqual([]);
    const left = await listJournals(stateDir);
    expect(left.map((j) => [j.record?.drillId, j.ownerRunning])).toEqual([['killed', false]]);

    const replay = () =>
      replayJournals({
        stateDir,
        logger,
        contextFor: async (r) => ({ target: { ...r.target, faultToken: stack.env.faultToken! } }),
      });
    const first = await replay();
    expect(first.journals).toMatchObject([
      {
        drillId: 'killed',
        outcome: 'cleared',
        faults: [
          {
            description: 'app fault latency latencyMs=200 (ttl 6s)',
            detail: 'already gone (already expired)',
          },
        ],
      },
    ]);
    expect(first.staleLocks).toHaveLength(1);
    expect((await replay()).journals).toEqual([]);
    rmSync(path.dirname(script), { recursive: true, force: true });
  }, 60_000);
});
