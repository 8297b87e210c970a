import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { type ComponentDefinition, loopback, type StackContext } from '../component.ts';
import { httpProbe, type Probe, type ProbeResult } from '../health.ts';
import type { StackProfile } from '../monitoring.ts';
import { PROGRAMS, requireProgram } from '../programs.ts';
import { StackError, type StackPorts } from '../types.ts';

/** `fast` is what drills and tests use: an alert can fire a second or two after its fault. */
export const PROFILE_TIMINGS = {
  fast: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s' },
  default: { scrapeInterval: '15s', scrapeTimeout: '10s', evaluationInterval: '15s' },
} as const satisfies Record<StackProfile, unknown>;

const target = (port: number) => ({ static_configs: [{ targets: [`127.0.0.1:${port}`] }] });

export function renderPrometheusConfig(opts: {
  profile: StackProfile;
  ports: StackPorts;
  rulesFile: string;
}): string {
  const t = PROFILE_TIMINGS[opts.profile];
  const { ports } = opts;
  return stringify({
    global: {
      scrape_interval: t.scrapeInterval,
      // Prometheus refuses a timeout longer than the interval, and the default is 10 s.
      scrape_timeout: t.scrapeTimeout,
      evaluation_interval: t.evaluationInterval,
    },
    rule_files: [opts.rulesFile],
    alerting: { alertmanagers: [target(ports.alertmanager)] },
    scrape_configs: [
      { job_name: 'demo-app', ...target(ports['demo-app']) },
      // Pushed series carry their own job and instance labels; keep them.
      { job_name: 'pushgateway', honor_labels: true, ...target(ports.pushgateway) },
      { job_name: 'firedrill', ...target(ports['firedrill-metrics']) },
      { job_name: 'prometheus', ...target(ports.prometheus) },
      { job_name: 'alertmanager', ...target(ports.alertmanager) },
    ],
  });
}

export function prometheusArgs(opts: { port: number; configFile: string; dataDir: string }): string[] {
  return [
    `--config.file=${opts.configFile}`,
    `--storage.tsdb.path=${opts.dataDir}`,
    `--web.listen-address=127.0.0.1:${opts.port}`,
    // Links in alerts (generatorURL) then point at this instance rather than the hostname on :9090.
    `--web.external-url=${loopback(opts.port)}/`,
    '--web.enable-lifecycle',
    '--web.enable-remote-write-receiver',
    // Tests delete series between cases; loopback only.
    '--web.enable-admin-api',
  ];
}

interface PromApiResponse<T> {
  status: string;
  data: T;
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as PromApiResponse<T>).data;
}

/**
 * Prometheus needs about 5 s after start (or reload) to hand alerts to Alertmanager: its notifier
 * applies discovered targets at most every 5 s. Callers must not race that, so readiness waits
 * for Alertmanager to be listed as active, and in the fast profile for the demo app's first scrape.
 */
function settleProbe(ctx: StackContext): Probe {
  const base = loopback(ctx.ports.prometheus);
  return async (signal): Promise<ProbeResult> => {
    try {
      if (ctx.active.has('alertmanager')) {
        const am = await getJson<{ activeAlertmanagers: { url: string }[] }>(
          `${base}/api/v1/alertmanagers`,
          signal,
        );
        const want = `127.0.0.1:${ctx.ports.alertmanager}`;
        if (!am.activeAlertmanagers.some((a) => a.url.includes(want)))
          return `Alertmanager ${want} not yet discovered`;
      }
      if (ctx.active.has('demo-app') && ctx.profile === 'fast') {
        const targets = await getJson<{
          activeTargets: { labels: Record<string, string>; health: string }[];
        }>(`${base}/api/v1/targets?state=active`, signal);
        const demo = targets.activeTargets.find((t) => t.labels.job === 'demo-app');
        if (demo?.health !== 'up') return `target demo-app is ${demo?.health ?? 'missing'}`;
      }
      return true;
    } catch (err) {
      signal.throwIfAborted();
      return (err as Error).message;
    }
  };
}

export const prometheus: ComponentDefinition = {
  name: 'prometheus',
  // Not before the demo app answers: a scrape that finds nothing records up == 0, and AppDown
  // (for: 0s in the fast profile) would fire and post to Slack on every start. Alertmanager is
  // not waited for: Prometheus lists a static Alertmanager whether it answers or not.
  after: ['demo-app'],
  port: 'prometheus',
  url: (ports) => loopback(ports.prometheus),
  readyTimeoutMs: 45_000,
  stopTimeoutMs: 15_000,
  preflight: () => void requireProgram(PROGRAMS.prometheus),
  async prepare(ctx) {
    const dir = ctx.paths.componentDir('prometheus');
    await mkdir(path.join(dir, 'data'), { recursive: true });
    const rulesFile = path.join(dir, 'rules.yml');
    const configFile = path.join(dir, 'prometheus.yml');
    const rules = (await ctx.monitoring.rules())(ctx.profile);
    const config = renderPrometheusConfig({ profile: ctx.profile, ports: ctx.ports, rulesFile });
    await writeFile(rulesFile, rules);
    await writeFile(configFile, config);
    return {
      command: requireProgram(PROGRAMS.prometheus),
      args: prometheusArgs({ port: ctx.ports.prometheus, configFile, dataDir: path.join(dir, 'data') }),
      env: {},
      cwd: dir,
      identity: `--config.file=${configFile}`,
      configFile,
      configText: config + rules,
    };
  },
  probe: (ctx) => httpProbe(`${loopback(ctx.ports.prometheus)}/-/ready`),
  settle: settleProbe,
  async reload(ctx) {
    const res = await fetch(`${loopback(ctx.ports.prometheus)}/-/reload`, { method: 'POST' });
    if (!res.ok) throw new StackError(`prometheus: reload failed: HTTP ${res.status} ${await res.text()}`);
  },
};
