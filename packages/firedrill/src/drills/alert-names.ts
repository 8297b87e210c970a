import { parse } from 'yaml';
import type { Diagnostic } from '../config/load.ts';
import { nearestName } from '../core/nearest.ts';
import type { LoadedDrill } from './loader.ts';

/** The alert names a Prometheus rule file defines (`groups[].rules[].alert`). */
export function alertNamesOf(ruleFileYaml: string): string[] {
  const doc = parse(ruleFileYaml) as { groups?: { rules?: { alert?: unknown }[] }[] } | null;
  return (doc?.groups ?? []).flatMap((g) =>
    (g.rules ?? []).flatMap((r) => (typeof r.alert === 'string' ? [r.alert] : [])),
  );
}

/**
 * Alerts a drill expects that no rule defines, found from the rule files before anything runs
 * (the local stack's, rendered from the project): a typo is a broken drill with the nearest name,
 * not a preflight error minutes into a game day. Routing drills inject their own alerts.
 */
export function unknownAlertDiagnostics(
  drills: readonly LoadedDrill[],
  known: readonly string[],
  source: string,
): Diagnostic[] {
  const names = new Set(known);
  return drills.flatMap(({ plan, file }) => {
    if (plan.routing) return [];
    return plan.expect.flatMap((c, i) => {
      if (c.type !== 'alertFires' || (c.source ?? 'prometheus') === 'grafana') return [];
      const alert = c.alert as string;
      if (names.has(alert)) return [];
      const near = nearestName(alert, names);
      return [
        {
          file,
          path: `expect.${i}.alert`,
          message: `no rule in ${source} defines alert ${alert}${near ? ` (did you mean ${near}?)` : ''}`,
        },
      ];
    });
  });
}
