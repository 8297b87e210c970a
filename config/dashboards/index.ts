import { appDashboard } from './app.ts';
import { drillsDashboard } from './drills.ts';
import type { DashboardFile } from './panels.ts';
import { probesDashboard } from './probes.ts';

export type { DashboardFile } from './panels.ts';

/** Every provisioned dashboard; the generator writes each to config/grafana/dashboards/<file>. */
export const DASHBOARDS: readonly DashboardFile[] = [probesDashboard, drillsDashboard, appDashboard];

/**
 * A dashboard's JSON as Grafana's file provisioning reads it. Panels get ids in order (rows too):
 * without them Grafana numbers panels itself on load, and a link to `viewPanel=<id>` would break
 * whenever a panel is added above.
 */
export function renderDashboard(file: DashboardFile): string {
  let id = 0;
  const panels = (file.dashboard.panels ?? []).map((panel) => ({ ...panel, id: ++id }));
  return `${JSON.stringify({ ...file.dashboard, panels }, null, 2)}\n`;
}
