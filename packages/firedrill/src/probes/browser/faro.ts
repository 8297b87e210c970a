/**
 * Grafana Faro beacons, read in flight. The web SDK POSTs JSON batches
 * (`{ meta, measurements?, exceptions?, logs?, events?, traces? }`) to its collector URL;
 * firedrill routes that URL so the probe sees the app's own view of web vitals and frontend
 * errors, whether or not a collector really exists behind it.
 */

export const FARO_VITALS = ['lcp', 'fcp', 'cls', 'inp', 'ttfb'] as const;
export type FaroVital = (typeof FARO_VITALS)[number];

export interface FaroBeacon {
  /** Web-vital values in this beacon, in arrival order (a batch may hold several of one kind). */
  vitals: Array<{ name: FaroVital; value: number }>;
  /** Frontend exceptions as `Type: message`. */
  errors: string[];
}

const FARO_ITEM_KEYS = ['measurements', 'exceptions', 'logs', 'events', 'traces'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a beacon body; undefined when it is not Faro-shaped (so unknown POSTs pass through untouched). */
export function parseFaroBeacon(body: string | null): FaroBeacon | undefined {
  if (typeof body !== 'string' || !body.startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || !isRecord(json.meta) || !FARO_ITEM_KEYS.some((k) => Array.isArray(json[k]))) {
    return undefined;
  }
  const beacon: FaroBeacon = { vitals: [], errors: [] };
  for (const m of Array.isArray(json.measurements) ? json.measurements : []) {
    if (!isRecord(m) || m.type !== 'web-vitals' || !isRecord(m.values)) continue;
    for (const name of FARO_VITALS) {
      const value = m.values[name];
      if (typeof value === 'number' && Number.isFinite(value)) beacon.vitals.push({ name, value });
    }
  }
  for (const e of Array.isArray(json.exceptions) ? json.exceptions : []) {
    if (!isRecord(e)) continue;
    beacon.errors.push(formatError(String(e.type ?? 'Error'), String(e.value ?? '')));
  }
  return beacon;
}

/** One spelling for page errors and Faro exceptions, so the same error seen both ways is listed once. */
export function formatError(type: string, message: string): string {
  return message ? `${type}: ${message}` : type;
}
