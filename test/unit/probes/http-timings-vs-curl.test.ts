import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpTimings } from '../../../src/probes/http/types.ts';
import { makeSelfSignedCert, sleep } from './helpers.ts';

/**
 * Method. One target process (fixtures/timing-target.mjs) on 127.0.0.1 that answers 16 KiB at
 * once. Two clients, each in its own process so neither shares an event loop with
 * the target or the test runner: curl, and firedrill's HTTP client (fixtures/timing-client.ts,
 * warmed with 200 requests first, as a long-running prober is). For each of N rounds,
 * interleaved so both see the same machine load: one curl process making two transfers (the
 * first pays curl's one-off OpenSSL set-up, which a long-running prober never pays; only the
 * second is kept, and `Connection: close` plus `--no-sessionid` make it a new connection with a
 * full handshake), then one firedrill request on a new connection. Both go to `localhost`.
 * curl's `-w` times are cumulative from the start of the transfer; firedrill's phases are
 * cumulated the same way (resolve, +connect, +tls, total − transfer = first byte, total) and the
 * medians of each point must agree within 1 ms.
 *
 * Noise. On this 2-core box, shared with other test runs (load averages of 10–18 while this was
 * written), scheduling delays alone move either client's medians by several ms from one batch to
 * the next. So the check is a statistical one: the difference of medians must be within 1 ms
 * plus 2.58 bootstrap standard errors of that difference (99 %) — exactly 1 ms on a quiet
 * machine, where the standard error is a few µs, and never less. The table is printed each run.
 */
const ROUNDS = 30;
/**
 * The three processes (target, curl, firedrill's client) run at the same raised priority, so
 * other work on the box (this suite's other files) disturbs them less and equally. Where raising
 * is not allowed, GNU nice says so and runs the command at normal priority.
 */
const NICE = ['-n', '-10'];
const TOLERANCE_MS = 1;
const run = promisify(execFile);

interface Points {
  namelookup: number;
  connect: number;
  appconnect: number;
  starttransfer: number;
  total: number;
}
const KEYS = ['namelookup', 'connect', 'appconnect', 'starttransfer', 'total'] as const;

function cumulative(t: HttpTimings): Points {
  return {
    namelookup: t.resolve,
    connect: t.resolve + t.connect,
    appconnect: t.tls > 0 ? t.resolve + t.connect + t.tls : 0,
    starttransfer: t.total - t.transfer,
    total: t.total,
  };
}

async function curl(url: string, cacert: string): Promise<Points> {
  const fmt = '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}';
  const args = [
    '-4',
    '--http1.1',
    '-s',
    '--no-sessionid',
    '-H',
    'Connection: close',
    '--cacert',
    cacert,
    '-w',
    `${fmt}\n`,
  ];
  const { stdout } = await run('nice', [
    ...NICE,
    'curl',
    ...args,
    '-o',
    '/dev/null',
    url,
    '-o',
    '/dev/null',
    url,
  ]);
  const [namelookup, connect, appconnect, starttransfer, total] = stdout
    .trim()
    .split('\n')[1]!
    .split(' ')
    .map((s) => Number(s) * 1000);
  return {
    namelookup: namelookup!,
    connect: connect!,
    appconnect: appconnect!,
    starttransfer: starttransfer!,
    total: total!,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Standard error of median(a) − median(b) by bootstrap, with a fixed seed so a run is reproducible. */
function bootstrapSe(a: number[], b: number[], draws = 400): number {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const resample = (xs: number[]) => xs.map(() => xs[rand(xs.length)]!);
  const diffs = Array.from({ length: draws }, () => median(resample(a)) - median(resample(b)));
  const mean = diffs.reduce((x, y) => x + y, 0) / draws;
  return Math.sqrt(diffs.reduce((x, y) => x + (y - mean) ** 2, 0) / (draws - 1));
}

describe('phase timings agree with curl -w', () => {
  let target: ChildProcess;
  let client: ChildProcess;
  let replies: AsyncIterator<string>;
  let lines: Interface;
  let ports: { http: number; https: number };
  let certFile: string;

  const ask = async (command: string): Promise<string> => {
    client.stdin!.write(`${command}\n`);
    const next = await replies.next();
    if (next.done) throw new Error('timing client exited');
    return next.value;
  };

  beforeAll(async () => {
    const cert = makeSelfSignedCert(10);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-timing-'));
    certFile = path.join(dir, 'cert.pem');
    writeFileSync(certFile, cert.cert);
    writeFileSync(path.join(dir, 'key.pem'), cert.key);
    const fixtures = path.join(import.meta.dirname, 'fixtures');
    target = spawn(
      process.execPath,
      [path.join(fixtures, 'timing-target.mjs'), path.join(dir, 'key.pem'), certFile],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    ports = await new Promise((resolve) =>
      target.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))),
    );
    client = spawn(
      'nice',
      [...NICE, process.execPath, '--import', 'tsx', path.join(fixtures, 'timing-client.ts'), certFile],
      {
        cwd: path.resolve(import.meta.dirname, '../../..'),
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    lines = createInterface({ input: client.stdout! });
    replies = lines[Symbol.asyncIterator]();
  }, 30_000);
  afterAll(() => {
    lines.close();
    client.kill('SIGTERM');
    target.kill('SIGTERM');
  });

  it.each(['http', 'https'] as const)(
    '%s: medians of every cumulative point within 1 ms (plus measurement noise)',
    { retry: 2 },
    async (scheme) => {
      const url = `${scheme}://localhost:${ports[scheme]}/`;
      expect(await ask(`warm ${url} 200`)).toBe('ok');
      const ours: Points[] = [];
      const theirs: Points[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        theirs.push(await curl(url, certFile));
        await sleep(5);
        const reply = JSON.parse(await ask(`get ${url}`)) as { status: number; timings: HttpTimings };
        expect(reply.status).toBe(200);
        ours.push(cumulative(reply.timings));
        await sleep(5);
      }
      const table = Object.fromEntries(
        KEYS.map((k) => {
          const a = ours.map((p) => p[k]);
          const b = theirs.map((p) => p[k]);
          const diff = median(a) - median(b);
          const allowed = TOLERANCE_MS + 2.58 * bootstrapSe(a, b);
          const row = { firedrill: median(a), curl: median(b), diff, allowed };
          return [k, Object.fromEntries(Object.entries(row).map(([n, v]) => [n, +v.toFixed(3)]))];
        }),
      ) as Record<(typeof KEYS)[number], { firedrill: number; curl: number; diff: number; allowed: number }>;
      console.log(
        `${scheme} medians over ${ROUNDS} rounds (ms), load ${os.loadavg()[0]!.toFixed(1)}:`,
        table,
      );
      for (const k of KEYS) {
        expect(Math.abs(table[k].diff), `${k}: ${JSON.stringify(table[k])}`).toBeLessThanOrEqual(
          table[k].allowed,
        );
      }
      // The points are ordered and not all zero.
      expect(table.starttransfer.curl).toBeGreaterThan(table.connect.curl);
      if (scheme === 'https') expect(table.appconnect.curl).toBeGreaterThan(table.connect.curl);
    },
  );
});
