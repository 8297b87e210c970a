/**
 * HTTP probe throughput per CPU-second: firedrill against Debian's prometheus-blackbox-exporter,
 * both probing the same local Node target at concurrency 10, both with a new connection per probe.
 *
 *   node --import tsx bench/http-probe/run.ts [--probes 3000] [--rounds 3] [--concurrency 10]
 *
 * Method:
 * - target: bench/http-probe/target.mjs (200 "ok"), its own process on 127.0.0.1.
 * - blackbox_exporter: module `http_2xx` (ip4, 5 s timeout), on a loopback port. This process
 *   asks it for `/probe?module=http_2xx&target=…` with 10 requests in flight over keep-alive;
 *   each answer is one probe (a fresh Go http.Client and connection inside the exporter). Its
 *   CPU is utime+stime from /proc/<pid>/stat across the batch — which includes answering the
 *   /probe request itself, because that is how blackbox_exporter probes.
 * - firedrill: bench/http-probe/firedrill-prober.ts in its own process runs the same number of
 *   probes through the real runner (timeout, implicit step, request id, Result, metrics), 10 at a
 *   time; its CPU is process.cpuUsage() across the batch, after a warm-up batch of the same
 *   size (V8 optimises the hot path only after a few thousand runs; the exporter gets the same
 *   warm-up, so both are measured in steady state, as long-running probers are).
 * - Rounds alternate blackbox, firedrill, blackbox, … so both see the same machine load; the
 *   figure per side is the median over rounds. Every batch is bounded in count and in time.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PROBES = arg('probes', 3000);
const ROUNDS = arg('rounds', 3);
const CONCURRENCY = arg('concurrency', 10);
// Both sides warm up with as many probes as a batch: V8 needs a few thousand runs before the
// hot path is optimised (a scheduler is always past that point), and the Go side gets the same.
const WARMUP = arg('warmup', 3000);
const BATCH_LIMIT_MS = 120_000;
const HERE = import.meta.dirname;
const REPO = path.resolve(HERE, '../..');
const CLK_TCK = 100;

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function startTarget(): Promise<{ port: number; pid: number }> {
  const child = spawn(process.execPath, [path.join(HERE, 'target.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d))),
  );
  return { port, pid: child.pid! };
}

async function startBlackbox(): Promise<{ url: string; pid: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-bb-'));
  writeFileSync(
    path.join(dir, 'blackbox.yml'),
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n',
  );
  const port = await freePort();
  const child = spawn(
    'prometheus-blackbox-exporter',
    [
      `--config.file=${path.join(dir, 'blackbox.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/-/healthy`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, pid: child.pid! };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('blackbox_exporter did not start');
}

/** N probes through blackbox_exporter, CONCURRENCY in flight; returns its CPU and wall time. */
async function blackboxBatch(bb: { url: string; pid: number }, target: string, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const path = `/probe?module=http_2xx&target=${encodeURIComponent(target)}`;
  const one = () =>
    new Promise<boolean>((resolve, reject) => {
      http
        .get(`${bb.url}${path}`, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve(/^probe_success 1$/m.test(body)));
        })
        .on('error', reject);
    });
  const cpu0 = cpuSeconds(bb.pid);
  const t0 = performance.now();
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n && performance.now() - t0 < BATCH_LIMIT_MS) {
        next++;
        if (await one()) ok++;
      }
    }),
  );
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = cpuSeconds(bb.pid) - cpu0;
  agent.destroy();
  return { probes: next, ok, cpuS, wallS };
}

function firedrillBatch(target: string, n: number) {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(HERE, 'firedrill-prober.ts'),
      target,
      String(n),
      String(CONCURRENCY),
      String(WARMUP),
    ],
    { cwd: REPO, encoding: 'utf8', timeout: BATCH_LIMIT_MS + 30_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as {
    probes: number;
    ok: number;
    cpuS: number;
    wallS: number;
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

const loadBefore = os.loadavg();
const target = await startTarget();
const bb = await startBlackbox();
const targetUrl = `http://127.0.0.1:${target.port}/`;
await blackboxBatch(bb, targetUrl, WARMUP);
const rounds: Record<string, unknown>[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const tb0 = cpuSeconds(target.pid);
  const b = blackboxBatch(bb, targetUrl, PROBES);
  const bres = await b;
  const tb = cpuSeconds(target.pid) - tb0;
  const tf0 = cpuSeconds(target.pid);
  const fres = firedrillBatch(targetUrl, PROBES);
  const tf = cpuSeconds(target.pid) - tf0;
  const row = {
    round: r,
    blackbox: {
      ...bres,
      probesPerCpuSecond: round2(bres.probes / bres.cpuS),
      probesPerSecond: round2(bres.probes / bres.wallS),
      targetCpuS: round2(tb),
    },
    firedrill: {
      ...fres,
      probesPerCpuSecond: round2(fres.probes / fres.cpuS),
      probesPerSecond: round2(fres.probes / fres.wallS),
      targetCpuS: round2(tf),
    },
  };
  rounds.push(row);
  process.stderr.write(
    `round ${r}: blackbox ${row.blackbox.probesPerCpuSecond} probes/CPU-s (${row.blackbox.probesPerSecond}/s), firedrill ${row.firedrill.probesPerCpuSecond} probes/CPU-s (${row.firedrill.probesPerSecond}/s)\n`,
  );
}
const side = (k: 'blackbox' | 'firedrill') => {
  const rows = rounds.map(
    (r) => r[k] as { probesPerCpuSecond: number; probesPerSecond: number; cpuS: number; wallS: number },
  );
  return {
    probesPerCpuSecond: round2(median(rows.map((x) => x.probesPerCpuSecond))),
    probesPerSecond: round2(median(rows.map((x) => x.probesPerSecond))),
    coresUsed: round2(median(rows.map((x) => x.cpuS / x.wallS))),
  };
};
const summary = { blackbox: side('blackbox'), firedrill: side('firedrill') };
const ratio = round2(summary.firedrill.probesPerCpuSecond / summary.blackbox.probesPerCpuSecond);
const bbVersion = execFileSync('prometheus-blackbox-exporter', ['--version'], { encoding: 'utf8' }).split(
  '\n',
)[0];
const report = {
  benchmark: 'http-probe',
  date: new Date().toISOString(),
  params: {
    probesPerBatch: PROBES,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    warmup: WARMUP,
    connection: 'new per probe',
  },
  machine: {
    cpus: os.cpus().length,
    loadavgBefore: loadBefore.map(round2),
    loadavgAfter: os.loadavg().map(round2),
    node: process.version,
    blackbox: bbVersion,
  },
  summary: { ...summary, ratioProbesPerCpuSecond: ratio, target: 1.5 },
  rounds,
};
mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
writeFileSync(path.join(REPO, 'bench/results/http-probe.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report.summary, null, 2)}\n`);
process.exit(0);
