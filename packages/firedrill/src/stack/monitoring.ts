import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StackError } from './types.ts';

export type StackProfile = 'fast' | 'default';

export interface AlertmanagerConfigOptions {
  profile: StackProfile;
  /** The incoming-webhook URL for a channel ('#alerts-critical' or 'alerts-critical'). */
  slackWebhookUrl: (channel: string) => string;
  /** Severity to channel, e.g. `{ critical: '#alerts-critical' }`. */
  channels: Record<string, string>;
  /** Where Alertmanager also posts every notification, so a drill sees it at once. */
  firedrillWebhookUrl?: string;
}

/** The project's monitoring config, rendered into files the stack's Prometheus and Alertmanager read. */
export interface MonitoringRenderers {
  /** The Prometheus rule file (YAML). */
  renderPrometheusRules(profile: StackProfile): string;
  /** alertmanager.yml. */
  renderAlertmanagerConfig(opts: AlertmanagerConfigOptions): string;
}

export const RULES_MODULE = 'config/alerting/rules.ts';
export const ALERTMANAGER_MODULE = 'config/alerting/alertmanager.ts';

async function importExport<T>(root: string, rel: string, name: string): Promise<T> {
  const file = path.join(root, rel);
  if (!existsSync(file))
    throw new StackError(`${rel}: not found in ${root}; the stack renders its config from it`);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  if (typeof mod[name] !== 'function') throw new StackError(`${rel}: does not export a function ${name}`);
  return mod[name] as T;
}

/** Each renderer is imported on first use, so a stack without Alertmanager never needs its config module. */
export interface MonitoringSource {
  rules(): Promise<MonitoringRenderers['renderPrometheusRules']>;
  alertmanager(): Promise<MonitoringRenderers['renderAlertmanagerConfig']>;
}

/**
 * Loads the renderers from the project (`<root>/config/alerting/…`), so a user's own rules and
 * routing are what the local stack runs; `overrides` replace either one.
 */
export function monitoringSource(
  root: string,
  overrides: Partial<MonitoringRenderers> = {},
): MonitoringSource {
  return {
    rules: async () =>
      overrides.renderPrometheusRules ?? importExport(root, RULES_MODULE, 'renderPrometheusRules'),
    alertmanager: async () =>
      overrides.renderAlertmanagerConfig ??
      importExport(root, ALERTMANAGER_MODULE, 'renderAlertmanagerConfig'),
  };
}
