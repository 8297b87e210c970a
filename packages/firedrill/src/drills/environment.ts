import { environmentConfig } from '../config/environment.ts';
import type { Config, EnvironmentConfig } from '../config/schema.ts';
import type { Connection, GrafanaConnection, SlackConnection } from '../connections/schema.ts';
import { SetupError } from '../core/errors.ts';
import { type FaultPlan, type FaultTarget, lockTargetOf } from '../faults/index.ts';
import type { DrillPlan } from './plan.ts';

/** An environment with every URL a drill needs resolved (the local stack's, for `stack: true`). */
export interface DrillEnvironment {
  name: string;
  baseUrl: string;
  allowFaults: boolean;
  production: boolean;
  faultToken?: string;
  credentials?: { username: string; password: string };
  faultEndpoint?: Connection;
  prometheus?: Connection;
  alertmanager?: Connection;
  elasticsearch?: Connection;
  /** Where `firedrill drill --push` sends each drill's last-run gauges. */
  pushgateway?: Connection;
  slack?: SlackConnection;
  grafana?: GrafanaConnection;
  toxiproxyUrl?: string;
  /** Relative TLS files (`tls.ca`, …) are read from here: the project root. */
  root?: string;
  /** Where probe traffic finds its probes (the config's `probes`). */
  probeFiles?: { dir: string; match: string };
  /** Where Alertmanager pushes notifications for firedrill (the local stack's webhook). */
  webhookUrl?: string;
  /** Channels alerts are routed to, searched when a message lands in the wrong one. */
  slackChannels: string[];
  stack: boolean;
}

/** A drill may not run here; the message says why and what would allow it. */
export class DrillGuardError extends SetupError {
  override name = 'DrillGuardError';
  override readonly type = 'drill-guard';
}

// The local sink accepts any non-empty token; real Slack needs the bot token from config.
const SINK_TOKEN = 'xoxb-firedrill-local';

/**
 * Resolves an environment of the config. For `stack: true` the URLs come from the running local
 * stack's state file; a stack that is not up is a setup error naming the command that fixes it.
 */
export async function resolveDrillEnvironment(
  config: Config,
  name: string,
  stateDir: string,
  root?: string,
): Promise<DrillEnvironment> {
  const env: EnvironmentConfig = environmentConfig(config, name, (m) => new DrillGuardError(m));
  const channels = [...new Set(Object.values(config.stack.slackChannels))];
  const common = {
    name,
    allowFaults: env.allowFaults,
    production: env.production,
    slackChannels: channels,
    stack: env.stack,
    ...(root ? { root } : {}),
    probeFiles: config.probes,
    ...(env.faultToken ? { faultToken: env.faultToken } : {}),
    ...(env.faultEndpoint ? { faultEndpoint: env.faultEndpoint } : {}),
    ...(env.credentials ? { credentials: env.credentials } : {}),
    ...(env.grafana ? { grafana: env.grafana } : {}),
    ...(env.toxiproxyUrl ? { toxiproxyUrl: env.toxiproxyUrl } : {}),
  };
  if (env.stack) {
    const { readStackState, stackUrls } = await import('../stack/index.ts');
    const state = await readStackState(stateDir);
    if (!state)
      throw new DrillGuardError(
        `environment "${name}" uses the local stack, which is not running: run \`firedrill stack up\``,
      );
    const urls = stackUrls(state);
    return {
      ...common,
      baseUrl: env.baseUrl ?? urls.baseUrl,
      prometheus: env.prometheus ?? { url: urls.prometheusUrl, headers: {} },
      alertmanager: env.alertmanager ?? { url: urls.alertmanagerUrl, headers: {} },
      elasticsearch: env.elasticsearch ?? { url: urls.elasticsearchUrl, headers: {} },
      ...((env.pushgateway ?? state.components.pushgateway)
        ? { pushgateway: env.pushgateway ?? { url: urls.pushgatewayUrl, headers: {} } }
        : {}),
      // Real Slack only when the environment names it with a token; else the stack's sink.
      slack: env.slack?.token ? env.slack : { url: urls.slackApiUrl, headers: {}, token: SINK_TOKEN },
      webhookUrl: urls.firedrillWebhookUrl,
    };
  }
  return {
    ...common,
    baseUrl: env.baseUrl!,
    ...(env.prometheus ? { prometheus: env.prometheus } : {}),
    ...(env.alertmanager ? { alertmanager: env.alertmanager } : {}),
    ...(env.elasticsearch ? { elasticsearch: env.elasticsearch } : {}),
    ...(env.pushgateway ? { pushgateway: env.pushgateway } : {}),
    ...(env.slack ? { slack: env.slack } : {}),
  };
}

/** Refuses what must never run: faults where they are not allowed, production without the flag. */
export function checkGuards(
  env: DrillEnvironment,
  drill: Pick<DrillPlan, 'id' | 'environments'>,
  opts: { yesProduction?: boolean; dryRun?: boolean } = {},
): void {
  // A dry run injects nothing: it may read production's pipeline without the fault guards.
  if (!env.allowFaults && !opts.dryRun) {
    throw new DrillGuardError(
      `environment "${env.name}" does not allow faults: set allowFaults: true for it in the config to run drills there`,
    );
  }
  if (env.production && !opts.yesProduction && !opts.dryRun) {
    throw new DrillGuardError(
      `environment "${env.name}" is marked production: pass --yes-production to inject faults there`,
    );
  }
  if (drill.environments && !drill.environments.includes(env.name)) {
    throw new DrillGuardError(
      `drill ${drill.id} runs only in ${drill.environments.join(', ')}, not in "${env.name}"`,
    );
  }
}

export function faultTarget(env: DrillEnvironment): FaultTarget {
  return {
    baseUrl: env.baseUrl,
    environment: env.name,
    ...(env.root ? { root: env.root } : {}),
    ...(env.faultToken ? { faultToken: env.faultToken } : {}),
    ...(env.faultEndpoint ? { faultEndpoint: env.faultEndpoint } : {}),
    ...(env.alertmanager ? { alertmanager: env.alertmanager } : {}),
    ...(env.toxiproxyUrl ? { toxiproxyUrl: env.toxiproxyUrl } : {}),
    ...(env.grafana ? { grafana: env.grafana } : {}),
    ...(env.toxiproxyUrl ? { toxiproxyUrl: env.toxiproxyUrl } : {}),
  };
}

/** The URLs a drill's faults act on: one lock each, so two drills never share a target. */
export function lockTargets(env: DrillEnvironment, faults: readonly FaultPlan[]): string[] {
  const target = faultTarget(env);
  const out = new Set(faults.map((f) => lockTargetOf(f, target)));
  // Sorted, so two runs taking the same locks take them in the same order and cannot deadlock.
  return [...out].sort();
}
