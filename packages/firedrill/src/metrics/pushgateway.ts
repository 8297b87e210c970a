import type { Registry } from 'prom-client';
import type { HttpClientOptions } from '../clients/http-types.ts';
import { BackendAccessError, certificateErrorCode } from '../connections/http.ts';
import type { Result } from '../core/result.ts';
import { DrillMetrics } from './drill-metrics.ts';
import { type ProbeInfo, ProbeMetrics, PUSH_JOB } from './probe-metrics.ts';

export interface PushOptions {
  /** The Pushgateway: base URL (e.g. `http://127.0.0.1:9091`), auth headers, TLS. */
  gateway: HttpClientOptions;
  /** @defaultValue 'firedrill-push' */
  job?: string;
  /** Grouping labels after the job. */
  grouping?: Record<string, string>;
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

/**
 * Pushes a registry with PUT, which replaces the whole group. prom-client's `Pushgateway` class
 * would do; plain fetch gives a clear error.
 */
export async function pushToGateway(registry: Registry, opts: PushOptions): Promise<string> {
  const { gateway } = opts;
  const backend = gateway.backend ?? { name: 'Pushgateway' };
  const target = groupingUrl(gateway.baseUrl, opts.job ?? PUSH_JOB, opts.grouping ?? {});
  let res: Response;
  try {
    res = await (gateway.fetch ?? fetch)(target, {
      method: 'PUT',
      headers: { ...gateway.headers, 'content-type': registry.contentType },
      body: await registry.metrics(),
      signal: AbortSignal.timeout(opts.timeoutMs ?? gateway.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const cert = certificateErrorCode(err);
    if (cert) throw BackendAccessError.forCertificate(backend, target, cert);
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new Error(`pushing metrics to ${target} failed: ${cause}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw BackendAccessError.forStatus(backend, target, res.status, await res.text().catch(() => ''));
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim().slice(0, 300);
    throw new Error(`pushing metrics to ${target} failed: HTTP ${res.status}${text ? `: ${text}` : ''}`);
  }
  return target;
}

/** `/metrics/job/<job>/<label>/<value>…`, with the Pushgateway's base64 form for values holding a `/`. */
export function groupingUrl(base: string, job: string, grouping: Record<string, string>): string {
  const part = (name: string, value: string) =>
    value.includes('/') || value === ''
      ? `${name}@base64/${Buffer.from(value).toString('base64url') || '='}`
      : `${name}/${encodeURIComponent(value)}`;
  const labels = Object.entries(grouping).map(([k, v]) => part(k, v));
  return [base.replace(/\/+$/, ''), 'metrics', part('job', job), ...labels].join('/');
}

/**
 * One group per probe (`location`, `probe`) and per drill (`environment`, `drill`), each holding
 * that run's last-value gauges: pushing some probes never deletes the others' series, a later
 * run of the same probe replaces exactly its own, and `job="firedrill-push"` keeps them apart
 * from the scheduler's scraped `job="firedrill"`. Resolves to the URLs pushed to.
 */
export async function pushResults(
  results: readonly Result[],
  opts: PushOptions & { probes?: readonly ProbeInfo[] },
): Promise<string[]> {
  const targets: string[] = [];
  for (const result of results) {
    let registry: Registry;
    let grouping: Record<string, string>;
    if (result.kind === 'probe') {
      const metrics = new ProbeMetrics();
      const info = opts.probes?.find((p) => p.id === result.id);
      if (info) metrics.describe(info);
      metrics.observe(result);
      registry = metrics.lastValues;
      grouping = { location: result.location ?? 'unknown', probe: result.id };
    } else if (result.kind === 'drill') {
      const metrics = new DrillMetrics();
      metrics.observe(result);
      registry = metrics.lastValues;
      grouping = { environment: result.environment ?? 'unknown', drill: result.id };
    } else {
      continue;
    }
    targets.push(await pushToGateway(registry, { ...opts, grouping: { ...opts.grouping, ...grouping } }));
  }
  return targets;
}
