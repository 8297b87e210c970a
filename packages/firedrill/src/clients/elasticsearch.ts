import type { EsCatIndex, EsCountResponse, EsInfo, EsSearchResponse } from './elasticsearch-types.ts';
import { type HttpClientOptions, requestJson } from './http-types.ts';

export type * from './elasticsearch-types.ts';

// Wildcard patterns that match nothing are an empty result, not a 404, on every version.
const LENIENT = { ignore_unavailable: 'true', allow_no_indices: 'true' } as const;

/** Elasticsearch / OpenSearch over plain HTTP, no version-specific client. */
export class ElasticsearchClient {
  constructor(readonly opts: HttpClientOptions) {}

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  info(signal?: AbortSignal): Promise<EsInfo> {
    return requestJson<EsInfo>(this.opts, '/', signal ? { signal } : {});
  }

  /** `opensearch` or `elasticsearch`, and the version number. */
  async flavor(signal?: AbortSignal): Promise<{ distribution: string; version: string }> {
    const info = await this.info(signal);
    return { distribution: info.version.distribution ?? 'elasticsearch', version: info.version.number };
  }

  search<T = Record<string, unknown>>(
    index: string,
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<EsSearchResponse<T>> {
    return requestJson<EsSearchResponse<T>>(this.opts, `/${encodeURIComponent(index)}/_search`, {
      method: 'POST',
      query: LENIENT,
      body,
      ...(signal ? { signal } : {}),
    });
  }

  async count(index: string, query?: Record<string, unknown>, signal?: AbortSignal): Promise<number> {
    const res = await requestJson<EsCountResponse>(this.opts, `/${encodeURIComponent(index)}/_count`, {
      method: 'POST',
      query: LENIENT,
      ...(query ? { body: { query } } : {}),
      ...(signal ? { signal } : {}),
    });
    return res.count;
  }

  /**
   * Epoch ms of the newest entry in the index: the highest `@timestamp` (Logstash, Beats), else
   * the highest `time` (pino's own field, as an rsyslog JSON pass-through ships it). `undefined`
   * when neither field holds a date or number.
   */
  async newestTimestamp(index: string, signal?: AbortSignal): Promise<number | undefined> {
    for (const field of ['@timestamp', 'time']) {
      try {
        const res = await this.search(index, { size: 0, aggs: { newest: { max: { field } } } }, signal);
        const value = (res as { aggregations?: { newest?: { value: number | null } } }).aggregations?.newest
          ?.value;
        if (typeof value === 'number') return value;
      } catch (err) {
        // A field mapped as text or keyword cannot be maxed: try the next one.
        if (signal?.aborted) throw err;
      }
    }
    return undefined;
  }

  /** Makes what was indexed so far searchable now instead of at the next refresh interval. */
  async refresh(index: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.opts, `/${encodeURIComponent(index)}/_refresh`, {
      method: 'POST',
      query: LENIENT,
      ...(signal ? { signal } : {}),
    });
  }

  /** Indices matching a pattern; empty when none does. */
  async indices(pattern: string, signal?: AbortSignal): Promise<EsCatIndex[]> {
    return requestJson<EsCatIndex[]>(this.opts, `/_cat/indices/${encodeURIComponent(pattern)}`, {
      query: { format: 'json', ...LENIENT },
      ...(signal ? { signal } : {}),
    });
  }
}

/** Total hits whichever way the server spells it. */
export function totalHits(res: EsSearchResponse<unknown>): number {
  const t = res.hits.total;
  if (typeof t === 'number') return t;
  return t?.value ?? res.hits.hits.length;
}

/**
 * Matches a keyword value whether the field was mapped as `keyword` or, by dynamic mapping, as
 * `text` with a `.keyword` sub-field: a `terms` query on an analysed text field would miss.
 */
export function keywordTerms(
  field: string,
  values: readonly (string | number | boolean)[],
): Record<string, unknown> {
  return {
    bool: {
      should: [{ terms: { [field]: values } }, { terms: { [`${field}.keyword`]: values } }],
      minimum_should_match: 1,
    },
  };
}
