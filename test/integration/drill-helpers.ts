import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { expect, inject } from 'vitest';
import { loadConfig } from '../../packages/firedrill/src/config/load.ts';
import type { Config } from '../../packages/firedrill/src/config/schema.ts';
import type { Result } from '../../packages/firedrill/src/core/result.ts';
import type { DrillDefinition } from '../../packages/firedrill/src/drills/define.ts';
import {
  type DrillEnvironment,
  resolveDrillEnvironment,
} from '../../packages/firedrill/src/drills/environment.ts';
import { planOf } from '../../packages/firedrill/src/drills/loader.ts';
import type { DrillPlan } from '../../packages/firedrill/src/drills/plan.ts';
import { runDrills } from '../../packages/firedrill/src/drills/suite.ts';
import { stackUp } from '../../packages/firedrill/src/stack/index.ts';

// The whole local stack (global setup): real Prometheus, Alertmanager, OpenSearch fed by rsyslog,
// the Slack sink and the reference app. Drills run one at a time, as `firedrill drill` runs them.
export const stateDir = inject('stackStateDir');
export const root = inject('projectRoot');
export const logger = pino({ level: process.env.FIREDRILL_LOG_LEVEL ?? 'silent' });

export interface DrillStack {
  config: Config;
  env: DrillEnvironment;
  run(drills: (DrillDefinition | DrillPlan)[]): Promise<Result[]>;
}

export async function drillStack(): Promise<DrillStack> {
  const config = (await loadConfig(path.join(root, 'config/firedrill.config.ts'), root)).config;
  const env = await resolveDrillEnvironment(config, 'local', stateDir);
  return {
    config,
    env,
    run: (drills) =>
      runDrills({
        drills: drills.map((d) => ('faults' in d ? d : planOf(d))),
        env,
        stateDir,
        root,
        logger,
        restartStack: async (components) => {
          await stackUp({ config: { ...config, stateDir }, root, logger, components: components as never });
        },
      }),
  };
}

/** Waits until an earlier test's alert has resolved: every drill's preflight demands a steady state. */
export async function quiet(env: DrillEnvironment, alert: string): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const res = (await (await fetch(`${env.prometheus!.url}/api/v1/alerts`)).json()) as {
      data: { alerts: { labels: Record<string, string> }[] };
    };
    if (!res.data.alerts.some((a) => a.labels.alertname === alert)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${alert} still active 40 s after the previous test`);
}

/** Edits a generated stack config file for one test, reloads the program, and restores both after. */
export async function withEditedConfig<T>(
  file: string,
  edit: (text: string) => string,
  reloadUrl: string,
  fn: () => Promise<T>,
): Promise<T> {
  const original = readFileSync(file, 'utf8');
  const edited = edit(original);
  expect(edited).not.toBe(original);
  writeFileSync(file, edited);
  await reload(reloadUrl);
  try {
    return await fn();
  } finally {
    writeFileSync(file, original);
    await reload(reloadUrl);
  }
}

async function reload(url: string): Promise<void> {
  const res = await fetch(url, { method: 'POST' });
  if (!res.ok) throw new Error(`reload ${url}: HTTP ${res.status} ${await res.text()}`);
}

export const rulesFile = () => path.join(stateDir, 'stack/prometheus/rules.yml');
export const alertmanagerFile = () => path.join(stateDir, 'stack/alertmanager/alertmanager.yml');
