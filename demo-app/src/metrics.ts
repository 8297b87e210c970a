import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const FAULT_KINDS = [
  'latency',
  'error-rate',
  'login-failure',
  'slow-image',
  'hang',
  'crash',
  'cpu-burn',
  'memory-hog',
  'event-loop-block',
  'slow-db',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const SUSPICIOUS_REASONS = ['path_traversal', 'sql_injection', 'script_injection'] as const;
export type SuspiciousReason = (typeof SUSPICIOUS_REASONS)[number];

/** Route label for requests no route matched, so scanners cannot blow up label cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

// Request latencies of interest run from sub-millisecond DB reads up to an injected 30 s hang.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const IMAGE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DB_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  httpRequestsTotal: Counter<'method' | 'route' | 'status_code'>;
  loginAttempts: Counter<'result'>;
  imageProcessingDuration: Histogram<string>;
  imageJobs: Counter<'result'>;
  dbQueryDuration: Histogram<'operation'>;
  suspiciousRequests: Counter<'reason'>;
  faultsActive: Gauge<'kind'>;
}

/** One explicit registry per app, so two apps in one process (tests) never share counters. */
// No default labels: Prometheus adds `job`/`instance` itself, and rules match on the names above.
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    }),
    httpRequestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route template',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    }),
    loginAttempts: new Counter({
      name: 'login_attempts_total',
      help: 'Login attempts by result',
      labelNames: ['result'],
      registers,
    }),
    imageProcessingDuration: new Histogram({
      name: 'image_processing_duration_seconds',
      help: 'Time from a job leaving the queue to its outputs being written',
      buckets: IMAGE_BUCKETS,
      registers,
    }),
    imageJobs: new Counter({
      name: 'image_jobs_total',
      help: 'Image processing jobs finished, by result',
      labelNames: ['result'],
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'SQLite query duration in seconds, by named operation',
      labelNames: ['operation'],
      buckets: DB_BUCKETS,
      registers,
    }),
    suspiciousRequests: new Counter({
      name: 'suspicious_requests_total',
      help: 'Requests rejected as suspicious, by reason',
      labelNames: ['reason'],
      registers,
    }),
    faultsActive: new Gauge({
      name: 'app_faults_active',
      help: 'Injected faults currently active, by kind',
      labelNames: ['kind'],
      registers,
    }),
  };
  // Zero series from the start: `rate()` and `increase()` need a sample before the first event.
  for (const result of ['success', 'failure']) metrics.loginAttempts.inc({ result }, 0);
  for (const result of ['done', 'failed']) metrics.imageJobs.inc({ result }, 0);
  for (const reason of SUSPICIOUS_REASONS) metrics.suspiciousRequests.inc({ reason }, 0);
  for (const kind of FAULT_KINDS) metrics.faultsActive.set({ kind }, 0);
  return metrics;
}
