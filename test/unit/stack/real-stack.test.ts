import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAlertmanagerConfig } from '../../../config/alerting/alertmanager.ts';
import { renderPrometheusRules } from '../../../config/alerting/rules.ts';
import { parseConfig } from '../../../packages/firedrill/src/config/load.ts';
import {
  type MonitoringRenderers,
  readStackState,
  type StackState,
  stackDown,
  stackStatus,
  stackUp,
  stackUrls,
} from '../../../packages/firedrill/src/stack/index.ts';
import { isAlive } from '../../../packages/firedrill/src/stack/processes.ts';

// The project's own renderers are what the stack loads from config/alerting/; this also pins
// that their signatures still fit the stack's contract.
const monitoring: MonitoringRenderers = { renderPrometheusRules, renderAlertmanagerConfig };
const root = path.resolve(import.meta.dirname, '../../..');
const components = ['pushgateway', 'alertmanager', 'prometheus'] as const;

let stateDir: string;
let config: ReturnType<typeof parseConfig>;
let first: StackState;

/** Processes of this state dir, found by their command lines, whatever the state file says. */
function leftovers(): string[] {
  try {
    return execFileSync('pgrep', ['-af', stateDir], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-stack-'));
  config = parseConfig({ stateDir, environments: { local: { stack: true } } });
  first = await stackUp({ config, root, components: [...components], monitoring });
}, 60_000);

afterAll(async () => {
  await stackDown({ config, root });
  await rm(stateDir, { recursive: true, force: true });
});

describe('real Pushgateway, Alertmanager and Prometheus', () => {
  it('start healthy, with the time each took recorded', async () => {
    expect(first.lastUp?.started).toEqual([...components]);
    for (const c of components) expect(first.components[c]?.readyMs).toBeGreaterThan(0);
    const status = await stackStatus({ config, root });
    expect(status.map((s) => [s.component, s.running, s.healthy])).toEqual(
      components.map((c) => [c, true, true]),
    );
  });

  it('Prometheus has discovered Alertmanager by the time up returns', async () => {
    const { prometheusUrl, alertmanagerUrl } = stackUrls(first);
    const res = await fetch(`${prometheusUrl}/api/v1/alertmanagers`);
    const body = (await res.json()) as { data: { activeAlertmanagers: { url: string }[] } };
    expect(body.data.activeAlertmanagers.map((a) => a.url)).toEqual([`${alertmanagerUrl}/api/v2/alerts`]);
  });

  it('loaded the fast rules and the routing to the sink', async () => {
    const { prometheusUrl, alertmanagerUrl } = stackUrls(first);
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
      data: { groups: { interval: number }[] };
    };
    expect(rules.data.groups.length).toBeGreaterThan(0);
    expect(rules.data.groups.every((g) => g.interval === 1)).toBe(true);
    const am = (await (await fetch(`${alertmanagerUrl}/api/v2/status`)).json()) as {
      config: { original: string };
    };
    expect(am.config.original).toContain('receiver: slack-alerts-critical');
    // The API shows api_url as <secret>; the generated file has it.
    const file = await readFile(first.components.alertmanager!.configFile!, 'utf8');
    expect(file).toContain(stackUrls(first).slackWebhookUrl('#alerts-critical'));
    expect(file).toContain(stackUrls(first).firedrillWebhookUrl);
  });

  it('a second up reuses what runs, quickly', async () => {
    const t0 = Date.now();
    const again = await stackUp({ config, root, components: [...components], monitoring });
    expect(again.lastUp?.reused).toEqual([...components]);
    expect(Date.now() - t0).toBeLessThan(3_000);
    for (const c of components) expect(again.components[c]?.pid).toBe(first.components[c]?.pid);
  });

  it('a changed rule file is applied by a reload, not a restart', async () => {
    const changed: MonitoringRenderers = {
      ...monitoring,
      renderPrometheusRules: (p) => `${renderPrometheusRules(p)}# changed\n`,
    };
    const again = await stackUp({ config, root, components: ['prometheus'], monitoring: changed });
    expect(again.lastUp?.reloaded).toEqual(['prometheus']);
    expect(again.components.prometheus?.pid).toBe(first.components.prometheus?.pid);
  });

  it('restarts a component that died', async () => {
    const pid = first.components.pushgateway!.pid;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
    const again = await stackUp({ config, root, components: ['pushgateway'], monitoring });
    expect(again.lastUp?.started).toEqual(['pushgateway']);
    expect(again.components.pushgateway?.pid).not.toBe(pid);
    expect(again.ports.pushgateway).toBe(first.ports.pushgateway);
  });

  it('down stops every process it started and removes the state; ports are remembered', async () => {
    const before = await readStackState(stateDir);
    const pids = Object.values(before!.components).map((c) => c.pid);
    const result = await stackDown({ config, root });
    expect(result.stopped.map((s) => s.component).sort()).toEqual([...components].sort());
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(leftovers()).toEqual([]);
    expect(await readStackState(stateDir)).toBeUndefined();
    expect(await stackStatus({ config, root })).toEqual([]);
    const remembered = JSON.parse(await readFile(path.join(stateDir, 'stack', 'ports.json'), 'utf8'));
    expect(remembered.prometheus).toBe(first.ports.prometheus);
  });
});
