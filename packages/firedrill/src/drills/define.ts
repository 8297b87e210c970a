import type { Condition } from '../conditions/index.ts';
import type { Duration } from '../core/duration.ts';
import type { FaultSpec } from '../faults/index.ts';

export {
  alertFires,
  logsArrive,
  noSlackMessage,
  promql,
  slackMessage,
} from '../conditions/index.ts';
export {
  appFault,
  badTraffic,
  grafanaTestNotification,
  injectAlert,
  shell,
  toxiproxy,
} from '../faults/index.ts';

/** One request the drill keeps sending while the fault is on. */
export interface TrafficRequest {
  /** @defaultValue 'GET' */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path on the environment's app. @example '/api/items' */
  path: string;
  /** JSON body. */
  body?: unknown;
  /** Upload a small generated PNG in this multipart field (the reference app's image upload). */
  uploadImage?: { field: string; width?: number; height?: number };
  /**
   * Sign in first with the environment's credentials (`POST /api/login`) and send the session
   * token as a bearer token. @defaultValue false
   */
  login?: boolean;
  /** The status this request answers when all is well; anything else counts as a bad sample. @defaultValue any 2xx */
  expectStatus?: number;
}

/** Traffic that keeps flowing during the fault, so the fault has requests to act on. */
export type TrafficSpec = RequestTrafficSpec | ProbeTrafficSpec;

/** Plain requests, paced and capped. */
export interface RequestTrafficSpec {
  /** Sent in turn, round-robin. */
  requests: TrafficRequest[];
  /** @defaultValue 5 */
  ratePerSec?: number;
  /** Hard cap on requests for the whole drill. @defaultValue 2000 */
  maxRequests?: number;
  /** Most requests in flight at once (a hung app must not pile up sockets). @defaultValue 8 */
  maxInFlight?: number;
  /**
   * A response slower than this counts as a bad sample (latency faults leave status codes alone).
   * @defaultValue 3 × the slowest steady-state response + 250 ms
   */
  slowMs?: number;
}

/**
 * A probe from `probes/` run again and again while the fault is on: the drill's traffic is then
 * the same user journey the monitoring checks, and a failed run is the first bad sample.
 * @example { probe: 'api', everyMs: 1000 }
 */
export interface ProbeTrafficSpec {
  /** Id of the probe (`defineProbe({ id })`). */
  probe: string;
  /** A run starts this often; a slower run delays the next one, runs never overlap. @defaultValue 1000 */
  everyMs?: number;
  /** Hard cap on runs for the whole drill. @defaultValue 200 */
  maxRuns?: number;
}

/** What must happen after the fault is rolled back. */
export interface ResolveSpec {
  /** Deadline for everything below, counted from the rollback. */
  within: Duration;
  /** Every alert of an `alertFires` resolves. @defaultValue true */
  alert?: boolean;
  /** A `[RESOLVED]` message lands in every channel of a `slackMessage`. @defaultValue true */
  message?: boolean;
}

export interface DrillDefinition {
  /** Stable id: result id, metric label `drill`, part of every request id. Lowercase, digits, dashes. */
  id: string;
  /** Human name for reports. @defaultValue the id */
  name?: string;
  /** What the drill proves, for reports. */
  description?: string;
  /** Environments this drill may run against. @defaultValue every environment that allows faults */
  environments?: string[];
  /**
   * Cron expression (node-cron syntax, optional leading seconds field) for `firedrill schedule
   * --drills`: a nightly drill on staging. Without one the drill runs only on demand.
   * @example '0 3 * * *'
   */
  schedule?: string;
  /**
   * The fault, or several applied in order (and rolled back in reverse).
   * @example appFault({ kind: 'error-rate', rate: 1, ttl: '60s' })
   */
  fault: FaultSpec | FaultSpec[];
  /**
   * Requests to keep sending while the fault is on, or a probe to keep running; their request
   * ids find the drill's log entries.
   * @example { requests: [{ path: '/api/items', login: true }], ratePerSec: 5 }
   * @example { probe: 'api', everyMs: 1000 }
   */
  traffic?: TrafficSpec;
  /**
   * What must happen while the fault is on; checked concurrently, each against its own deadline.
   * @example [alertFires('HighApiErrorRate', { within: '30s' }), slackMessage({ channel: '#alerts-critical', within: '30s' })]
   */
  expect: Condition[];
  /**
   * After rollback: the alert resolves and the resolved message arrives. `false` skips the phase.
   * @defaultValue { within: '60s' }
   */
  resolve?: ResolveSpec | false;
  /**
   * Whether the drill must see its own traffic turn bad (the fault took effect) before the first
   * alert deadline; a fault the app ignores then fails with "steady state never left".
   * @defaultValue true when there is traffic
   */
  requireEffect?: boolean;
  /** Whole drill, all phases. @defaultValue 180000 */
  timeoutMs?: number;
  tags?: string[];
}

/** Declares a drill. A drill file's default export; the loader collects them, nothing registers itself. */
export function defineDrill(def: DrillDefinition): DrillDefinition {
  return def;
}
