import type { z } from 'zod';
import {
  type ConditionPlan,
  conditionProblem,
  type DrillDefaults,
  planCondition,
  primaryAlert,
} from '../conditions/index.ts';
import { type FaultPlan, isRoutingFault, routingAlertOf } from '../faults/index.ts';
import type { TrafficSpec } from './define.ts';
import type { drillSchema } from './schema.ts';

export const DEFAULT_TIMEOUT_MS = 180_000;
export const DEFAULT_RESOLVE_MS = 60_000;

/**
 * A drill as it runs: parsed once by the loader, from the author's file. Durations are ms,
 * faults a list, defaults and the alert every Slack condition is about resolved. Nothing after
 * the loader reads the author's object.
 */
export interface DrillPlan {
  id: string;
  /** The author's name, else the id. */
  name: string;
  description?: string;
  environments?: string[];
  schedule?: string;
  tags?: string[];
  /** Applied in order, rolled back in reverse. */
  faults: FaultPlan[];
  traffic?: TrafficSpec;
  expect: ConditionPlan[];
  resolve: false | { withinMs: number; alert: boolean; message: boolean };
  /** The drill must see its own traffic turn bad before the first alert deadline. */
  requireEffect: boolean;
  timeoutMs: number;
  /** Routing only: the faults inject alerts (Alertmanager, Grafana) instead of breaking the app. */
  routing: boolean;
  /** The alert of the first `alertFires`, else the one a routing fault injects. */
  alert?: string;
}

export type PlanProblem = { path: (string | number)[]; message: string };

/** The plan of a validated drill, or the problems only the whole drill shows (a Slack condition with no alert). */
export function planDrill(
  parsed: z.output<typeof drillSchema>,
  faults: FaultPlan[],
): { plan?: DrillPlan; problems: PlanProblem[] } {
  const routing = faults.some(isRoutingFault);
  const alert = primaryAlert(parsed.expect) ?? routingAlertOf(faults);
  const defaults: DrillDefaults = { alert };
  const problems: PlanProblem[] = [];
  parsed.expect.forEach((c, i) => {
    const p = conditionProblem(c, defaults);
    if (p) problems.push({ path: ['expect', i, ...p.path], message: p.message });
  });
  if (problems.length) return { problems };
  const traffic = parsed.traffic as TrafficSpec | undefined;
  const resolve = parsed.resolve;
  return {
    problems,
    plan: {
      id: parsed.id,
      name: parsed.name ?? parsed.id,
      ...(parsed.description !== undefined ? { description: parsed.description } : {}),
      ...(parsed.environments ? { environments: parsed.environments } : {}),
      ...(parsed.schedule ? { schedule: parsed.schedule } : {}),
      ...(parsed.tags ? { tags: parsed.tags } : {}),
      faults,
      ...(traffic ? { traffic } : {}),
      expect: parsed.expect.map((c) => planCondition(c, defaults)),
      resolve:
        resolve === false
          ? false
          : {
              withinMs: resolve?.within ?? DEFAULT_RESOLVE_MS,
              alert: resolve?.alert !== false,
              message: resolve?.message !== false,
            },
      requireEffect: traffic !== undefined && parsed.requireEffect !== false,
      timeoutMs: parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      routing,
      ...(alert ? { alert } : {}),
    },
  };
}
