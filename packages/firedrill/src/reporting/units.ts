import { formatDuration } from './summary.ts';

/**
 * What a number in `Result.metrics` or a step's `timings` measures. The model keeps bare numbers
 * (blackbox_exporter's names, k6's stats, a probe's own `recordMetric`), so the unit follows from
 * the name, the way Prometheus' naming conventions make it follow from a suffix.
 */
export type Unit =
  | 'duration'
  | 'count'
  | 'code'
  | 'ratio'
  | 'per-second'
  | 'bytes'
  | 'days'
  | 'epoch-s'
  | 'plain';

// HTTP phases are blackbox_exporter's `probe_http_duration_seconds{phase}`, recorded in ms.
const PHASES = /^(resolve|connect|tls|processing|transfer|total)$/;
const MS = /(^|_)ms(_|$)|Ms$/;
const CODE = /(^|_)(status|status_code|code)$/;
const BYTES = /(^|_)(bytes|content_length|data_sent|data_received)(_|$)/;
const COUNT =
  /(^|_)(count|total|requests|redirects|samples|errors|beacons|entries|polls|iterations|reqs|vus|vus_max|checks_passes|checks_fails)$/;
/** k6's own duration metrics, and custom trends named as durations (`image_processing_duration`). */
const DURATION_METRIC =
  /duration|latency|(^|_)wait$|waiting|connecting|blocked|sending|receiving|handshaking|(^|_)time$/;
const TREND_STAT = /^(avg|min|med|max|p\(?\d+(\.\d+)?\)?)$/;
/** k6 Rate metrics: `rate` is the share of non-zero samples, not a per-second rate. */
const RATE_METRIC = /^(http_req_failed|checks)$|(_failed|_rate|_ratio|_share)$/;
/** k6 Counters: `rate` is per second. */
const COUNTER_METRIC = /^(http_reqs|iterations|data_sent|data_received|dropped_iterations)$|_total$/;

/** The unit of a named number. `http_status_code` is a code, `http_req_duration_p95` a duration. */
export function unitOf(name: string): Unit {
  if (PHASES.test(name) || MS.test(name)) return 'duration';
  if (name === 'ssl_earliest_cert_expiry') return 'epoch-s';
  if (/_days$/.test(name)) return 'days';
  if (CODE.test(name)) return 'code';
  if (BYTES.test(name)) return name.endsWith('_count') ? 'count' : 'bytes';
  // `<metric>_<stat>` as load results name their numbers: `http_req_duration_p95`, `http_req_failed_rate`.
  const stat = /^(.*)_(avg|min|med|max|p\d+|rate|count|value)$/.exec(name);
  if (stat) return metricStatUnit(stat[1]!, stat[2]!);
  if (COUNT.test(name)) return 'count';
  if (/(^|_)(rate|ratio)$/.test(name)) return 'ratio';
  return 'plain';
}

/** The unit of one k6 stat (`p(95)`, `rate`, `count`) of a metric (`http_req_duration{flow:login}`). */
export function metricStatUnit(metric: string, stat: string): Unit {
  const name = metric.replace(/\{.*$/, '');
  if (stat === 'count') return BYTES.test(name) ? 'bytes' : 'count';
  if (stat === 'rate') {
    if (COUNTER_METRIC.test(name)) return 'per-second';
    return RATE_METRIC.test(name) ? 'ratio' : 'plain';
  }
  if (TREND_STAT.test(stat) && DURATION_METRIC.test(name)) return 'duration';
  if (BYTES.test(name)) return 'bytes';
  return unitOf(name) === 'duration' ? 'duration' : 'plain';
}

/** A number as its unit reads: `312ms`, `200`, `1.2%`, `4.2/s`, `17.8 KB`, `43 days`. */
export function formatIn(unit: Unit, value: number): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'duration':
      return formatDuration(value);
    case 'count':
    case 'code':
      return Number.isInteger(value) ? String(value) : plain(value);
    case 'ratio':
      return `${trim((value * 100).toFixed(value === 0 || value === 1 ? 0 : value < 0.001 ? 3 : 2))}%`;
    case 'per-second':
      return `${plain(value)}/s`;
    case 'bytes':
      return bytes(value);
    case 'days':
      return `${trim(value.toFixed(value < 10 ? 1 : 0))} days`;
    case 'epoch-s':
      return new Date(value * 1000).toISOString().slice(0, 10);
    default:
      return plain(value);
  }
}

/** One named number as a reader wants it. */
export function formatMetric(name: string, value: number): string {
  return formatIn(unitOf(name), value);
}

/** One of a step's measures: `312ms` for an HTTP phase, `200` for a status code, `1` for a count. */
export const formatMeasure = formatMetric;

function plain(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return trim(v.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3));
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function bytes(n: number): string {
  if (Math.abs(n) < 1024) return `${Math.round(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trim(v.toFixed(v < 10 ? 1 : 0))} ${units[i]}`;
}
