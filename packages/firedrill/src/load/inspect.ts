import { groupOfMetricKey, RUN_GROUP } from './results.ts';

/** What `k6 inspect --execution-requirements` tells before a run: the plan and its length. */
export interface K6Plan {
  /** k6 scenario name → its executor and its `flow` tag, if it has one. */
  scenarios: Record<string, { executor: string; flow?: string }>;
  thresholdKeys: string[];
  /** Longest the test can take, graceful stops included; undefined when k6 did not say. */
  totalDurationMs: number | undefined;
  maxVUs: number | undefined;
}

export class InspectFormatError extends Error {
  override name = 'InspectFormatError';
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** Go's `time.Duration` text as k6 prints it: `32s`, `1h5m30s`, `2m0.5s`, `350ms`. */
export function parseGoDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : text === '0' ? 0 : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseInspectOutput(stdout: string): K6Plan {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new InspectFormatError(`k6 inspect printed no JSON: ${stdout.slice(0, 200)}`);
  }
  if (!isRecord(json)) throw new InspectFormatError('k6 inspect: expected a JSON object');
  const scenarios: K6Plan['scenarios'] = {};
  if (isRecord(json.scenarios)) {
    for (const [name, s] of Object.entries(json.scenarios)) {
      if (!isRecord(s)) continue;
      const tags = isRecord(s.tags) ? s.tags : {};
      scenarios[name] = {
        executor: typeof s.executor === 'string' ? s.executor : 'unknown',
        ...(typeof tags.flow === 'string' ? { flow: tags.flow } : {}),
      };
    }
  }
  const duration = typeof json.totalDuration === 'string' ? parseGoDuration(json.totalDuration) : undefined;
  return {
    scenarios,
    thresholdKeys: isRecord(json.thresholds) ? Object.keys(json.thresholds) : [],
    totalDurationMs: duration,
    maxVUs: typeof json.maxVUs === 'number' ? json.maxVUs : undefined,
  };
}

/**
 * Results a run will produce, in report order: each flow once (scenario order), then a run-level
 * one when some threshold judges the whole run. An untagged scenario (a plain `export default`
 * script's `default`) adds no group of its own: its thresholds are the run's.
 */
export function plannedGroups(plan: K6Plan): string[] {
  const groups = new Set(Object.values(plan.scenarios).flatMap((s) => (s.flow ? [s.flow] : [])));
  let runLevel = false;
  for (const key of plan.thresholdKeys) {
    const g = groupOfMetricKey(key);
    if (g === RUN_GROUP) runLevel = true;
    else groups.add(g);
  }
  return runLevel ? [...groups, RUN_GROUP] : [...groups];
}
