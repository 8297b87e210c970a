/**
 * JSON Schemas (draft 2020-12) for the app's log entries, as data. The generator writes them to
 * `config/schemas/*.schema.json`, where Logstash pipelines, drills and other tools read them.
 * Each file stands alone: shared pieces are copied into each one's `$defs`, not referenced
 * across files, so a consumer needs no schema registry.
 */

export const SCHEMA_ID_BASE = 'https://firedrill.dev/schemas/';
export const REDACTED = '[REDACTED]';
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Key fragments that mark a value as a secret, matched case-insensitively anywhere in a key. */
export const SECRET_KEY_WORDS = [
  'password',
  'passwd',
  'secret',
  'token',
  'authorization',
  'cookie',
  'api_key',
  'apikey',
];

/** JSON Schema patterns are ECMA-262 without flags, so case-insensitivity is spelled out per letter. */
export function caseInsensitivePattern(words: readonly string[]): string {
  const letter = (c: string) =>
    /[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return words.map((w) => [...w].map(letter).join('')).join('|');
}

type Schema = Record<string, unknown>;

// A problem message names what to do; the validator prints `description` for pattern and
// format failures, so it says what a good value looks like.
const time: Schema = {
  type: 'string',
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  description: 'an ISO-8601 UTC time with milliseconds, like 2026-11-26T19:40:00.123Z',
};
const nonEmpty: Schema = { type: 'string', minLength: 1 };

/** Every object at any depth: a secret-looking key holds only the redaction marker. */
const noSecrets: Schema = {
  $comment: `Keys containing ${SECRET_KEY_WORDS.join(', ')} (any case) may only hold "${REDACTED}".`,
  // if/then per type rather than bare keywords, so the schema passes Ajv's strict type checks.
  if: { type: 'object' },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; this object is never awaited.
  then: {
    type: 'object',
    patternProperties: {
      [caseInsensitivePattern(SECRET_KEY_WORDS)]: {
        const: REDACTED,
        description: `"${REDACTED}": this key looks like a secret`,
      },
    },
    additionalProperties: { $ref: '#/$defs/noSecrets' },
  },
  else: {
    if: { type: 'array' },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; this object is never awaited.
    then: { type: 'array', items: { $ref: '#/$defs/noSecrets' } },
  },
};

const accessLog: Schema = {
  $comment: 'Access-log entries (event "http_request") carry the request that was served.',
  if: { required: ['event'], properties: { event: { const: 'http_request' } } },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; this object is never awaited.
  then: { required: ['method', 'route', 'status_code', 'duration_ms', 'request_id'] },
};

function pinoSchema(
  source: 'backend' | 'frontend',
  extra: { required: string[]; properties: Schema },
): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_ID_BASE}${source}-log.schema.json`,
    title: `${source} log entry`,
    description: `One pino JSON log line from the app's ${source}. Extra fields are allowed.`,
    type: 'object',
    required: ['time', 'level', 'msg', 'service', 'environment', 'source', ...extra.required],
    properties: {
      time,
      level: { enum: [...LEVELS] },
      msg: { type: 'string' },
      service: nonEmpty,
      environment: nonEmpty,
      source: { const: source },
      request_id: nonEmpty,
      user_id: nonEmpty,
      event: nonEmpty,
      method: { type: 'string', pattern: '^[A-Z]+$', description: 'an upper-case HTTP method, like GET' },
      route: {
        type: 'string',
        pattern: '^/',
        description: 'a route template starting with /, like /api/items/:id',
      },
      status_code: { type: 'integer', minimum: 100, maximum: 599 },
      duration_ms: { type: 'number', minimum: 0 },
      // Declared, not only allowed: a drill with unknownFields: 'error' flags what is not here.
      path: {
        type: 'string',
        pattern: '^/',
        description: 'the request path without its query, like /api/items/42',
      },
      remote_address: { type: 'string' },
      user_agent: { type: 'string' },
      err: {
        type: 'object',
        required: ['type', 'message'],
        properties: { type: nonEmpty, message: { type: 'string' }, stack: { type: 'string' } },
      },
      ...extra.properties,
    },
    allOf: [accessLog, { $ref: '#/$defs/noSecrets' }],
    $defs: { noSecrets },
  };
}

export const backendLogSchema = pinoSchema('backend', { required: [], properties: {} });

export const frontendLogSchema = pinoSchema('frontend', {
  required: ['session_id', 'page'],
  properties: { session_id: nonEmpty, page: nonEmpty },
});

const object = (required: string[], properties: Schema): Schema => ({ type: 'object', required, properties });

/** Python loguru's `serialize=True` line: `{"text", "record": {…}}`, context in `record.extra`. */
export const loguruLogSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `${SCHEMA_ID_BASE}loguru-log.schema.json`,
  title: 'loguru log entry',
  description:
    "One line of Python loguru's serialize=True output; request context is bound into record.extra.",
  ...object(['text', 'record'], {
    text: { type: 'string' },
    record: object(
      [
        'elapsed',
        'exception',
        'extra',
        'file',
        'function',
        'level',
        'line',
        'message',
        'module',
        'name',
        'process',
        'thread',
        'time',
      ],
      {
        elapsed: object(['repr', 'seconds'], { repr: { type: 'string' }, seconds: { type: 'number' } }),
        exception: {
          type: ['object', 'null'],
          required: ['type', 'value', 'traceback'],
          properties: {
            type: { type: ['string', 'null'] },
            value: { type: ['string', 'null'] },
            traceback: { type: 'boolean' },
          },
        },
        extra: object(['request_id', 'service', 'environment'], {
          request_id: nonEmpty,
          service: nonEmpty,
          environment: nonEmpty,
          user_id: nonEmpty,
        }),
        file: object(['name', 'path'], { name: { type: 'string' }, path: { type: 'string' } }),
        function: { type: 'string' },
        level: object(['icon', 'name', 'no'], {
          icon: { type: 'string' },
          name: nonEmpty,
          no: { type: 'integer' },
        }),
        line: { type: 'integer', minimum: 0 },
        message: { type: 'string' },
        module: { type: 'string' },
        name: { type: ['string', 'null'] },
        process: object(['id', 'name'], { id: { type: 'integer' }, name: { type: 'string' } }),
        thread: object(['id', 'name'], { id: { type: 'integer' }, name: { type: 'string' } }),
        time: object(['repr', 'timestamp'], {
          repr: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}[+-]\\d{2}:\\d{2}$',
            description: 'a Python datetime with offset, like 2026-11-26 19:40:00.123456+00:00',
          },
          timestamp: { type: 'number' },
        }),
      },
    ),
  }),
  allOf: [{ $ref: '#/$defs/noSecrets' }],
  $defs: { noSecrets },
};

/** Built-in schemas by name: `logsArrive({ schema: 'backend' })`. */
export const LOG_SCHEMAS = {
  backend: backendLogSchema,
  frontend: frontendLogSchema,
  loguru: loguruLogSchema,
} as const;
export type LogSchemaName = keyof typeof LOG_SCHEMAS;
