import type { Registry } from 'prom-client';

export interface PushOptions {
  /** Pushgateway base URL, e.g. `http://127.0.0.1:9091`. */
  url: string;
  /** @defaultValue 'firedrill' */
  job?: string;
  /** Grouping labels after the job; firedrill groups by `location`. */
  grouping?: Record<string, string>;
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

/**
 * Pushes a registry with PUT, which replaces the whole group: after a one-shot run the group
 * holds exactly that run's view, not a mix with series of probes an earlier run had and this
 * one dropped. prom-client's `Pushgateway` class would do; plain fetch gives a clear error.
 */
export async function pushToGateway(registry: Registry, opts: PushOptions): Promise<string> {
  const target = groupingUrl(opts.url, opts.job ?? 'firedrill', opts.grouping ?? {});
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'PUT',
      headers: { 'content-type': registry.contentType },
      body: await registry.metrics(),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new Error(`pushing metrics to ${target} failed: ${cause}`);
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
