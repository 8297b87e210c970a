/**
 * The slice of the Elasticsearch REST API that ES 7, 8, 9 and OpenSearch 1/2 answer alike.
 * `hits.total` is an object since ES 7 but a bare number before, and in OpenSearch with
 * `rest_total_hits_as_int`; both are read.
 */

export interface EsHit<T = Record<string, unknown>> {
  _index: string;
  _id: string;
  _source: T;
  _score?: number | null;
  sort?: unknown[];
}

export interface EsSearchResponse<T = Record<string, unknown>> {
  took: number;
  timed_out: boolean;
  hits: { total?: { value: number; relation: 'eq' | 'gte' } | number; hits: EsHit<T>[] };
}

export interface EsCountResponse {
  count: number;
}

export interface EsInfo {
  name?: string;
  cluster_name?: string;
  version: { number: string; distribution?: string };
}

/** One row of `_cat/indices?format=json`. */
export interface EsCatIndex {
  index: string;
  health?: string;
  status?: string;
  'docs.count'?: string;
}
