import { backendLogSchema, frontendLogSchema } from '../../packages/firedrill/src/log-schemas/builtin.ts';

/**
 * The Elasticsearch index template for `app-logs-*`, derived from the backend and frontend log
 * schemas: every field they name gets a mapping of its JSON type, so `request_id` is a keyword a
 * drill can match exactly (dynamic mapping would make it analysed text) and `time` is a date
 * whatever the first document looked like.
 */

type Schema = Record<string, unknown>;
type Mapping = Record<string, unknown>;

/** Free text, searched by word; every other string is an exact value. */
const TEXT_FIELDS = new Set(['msg', 'err.message', 'err.stack']);

function mappingOf(path: string, schema: Schema): Mapping | undefined {
  if (schema.format === 'date-time') return { type: 'date' };
  if (schema.type === 'integer') return { type: 'integer' };
  if (schema.type === 'number') return { type: 'float' };
  if (schema.type === 'object' && schema.properties) {
    return { properties: propertiesOf(path, schema.properties as Record<string, Schema>) };
  }
  const stringLike =
    schema.type === 'string' || Array.isArray(schema.enum) || typeof schema.const === 'string';
  if (stringLike) return TEXT_FIELDS.has(path) ? { type: 'text' } : { type: 'keyword', ignore_above: 1024 };
  return undefined;
}

function propertiesOf(prefix: string, properties: Record<string, Schema>): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  for (const [name, schema] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const mapping = mappingOf(path, schema);
    if (mapping) out[name] = mapping;
  }
  return out;
}

/** Field mappings of every property either schema names, backend first. */
export function appLogsFieldMappings(): Record<string, Mapping> {
  return {
    ...propertiesOf('', frontendLogSchema.properties as Record<string, Schema>),
    ...propertiesOf('', backendLogSchema.properties as Record<string, Schema>),
  };
}

export function appLogsIndexTemplate(): Record<string, unknown> {
  return {
    index_patterns: ['app-logs-*'],
    priority: 200,
    _meta: { generated_from: 'config/schemas/log-schemas.ts by config/logstash/index-template.ts' },
    template: {
      // One node: a replica could never be assigned and the indices would stay yellow.
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
      mappings: {
        properties: { '@timestamp': { type: 'date' }, ...appLogsFieldMappings() },
      },
    },
  };
}
