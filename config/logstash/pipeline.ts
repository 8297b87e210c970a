/**
 * The Logstash pipeline that ships the app's JSON logs into Elasticsearch, as data. The pipeline
 * file (`config/logstash/pipeline/app-logs.conf`) is rendered from it, and `applyPipeline` replays
 * the same steps on a parsed log line, so tests check the documents Logstash would index against
 * the log schemas without a running Logstash.
 */

/** Where docker-compose.yml mounts the shared log volume (the demo app writes, Logstash reads). */
export const APP_LOG_DIR = '/var/log/app';
/** The demo app's log file inside that volume: backend lines and the frontend lines it relays. */
export const APP_LOG_FILE = `${APP_LOG_DIR}/demo-app.jsonl`;
export const INDEX = 'app-logs-%{+YYYY.MM.dd}';
/** Lines that are not JSON or carry no readable `time`: kept, but out of `app-logs-*`. */
export const UNPARSED_INDEX = 'unparsed-app-logs-%{+YYYY.MM.dd}';
export const TEMPLATE_NAME = 'app-logs';
/** Where the index template (config/logstash/templates/app-logs.json) is mounted. */
export const TEMPLATE_MOUNT = '/usr/share/logstash/templates/app-logs.json';
export const FAILURE_TAGS = ['_jsonparsefailure', '_dateparsefailure'] as const;

export type PipelineStep =
  /** Drop a field the input added, but keep the app's own field of the same name. */
  | { op: 'drop-input-field'; field: string; why: string }
  | { op: 'remove'; fields: string[]; why: string }
  /** `date` filter: the field, parsed, becomes `@timestamp`; the field itself stays. */
  | { op: 'timestamp'; field: string; format: 'ISO8601'; why: string };

export const PIPELINE_STEPS: readonly PipelineStep[] = [
  {
    op: 'drop-input-field',
    field: 'path',
    why: "the file input adds the log file's path as `path` unless the line has one; access-log lines carry the request path there",
  },
  {
    op: 'drop-input-field',
    field: 'host',
    why: "the file input adds Logstash's hostname as `host` unless the line has one; pino names the app's host `hostname`",
  },
  { op: 'remove', fields: ['@version'], why: "Logstash's event format version says nothing about the app" },
  {
    op: 'timestamp',
    field: 'time',
    format: 'ISO8601',
    why: "the entry's own time orders it in Kibana and names its daily index; `time` stays, as the schemas require it",
  },
];

/** A Logstash event as the filters see it. */
export interface LogstashEvent {
  fields: Record<string, unknown>;
  metadata: Record<string, unknown>;
  tags: string[];
}

/**
 * What the `file` input with the `json` codec makes of one line (ECS compatibility off). A JSON
 * array would become one event per element in Logstash; pino never writes one, so here it counts
 * as unparsed, like any other non-object.
 */
export function fileInputEvent(
  line: string,
  input: { path: string; host: string; now: Date },
): LogstashEvent {
  const event: LogstashEvent = { fields: {}, metadata: { path: input.path, host: input.host }, tags: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    event.fields = { ...(parsed as Record<string, unknown>) };
  } else {
    event.fields = { message: line };
    event.tags.push('_jsonparsefailure');
  }
  event.fields['@timestamp'] ??= input.now.toISOString();
  event.fields['@version'] ??= '1';
  event.fields.path ??= input.path;
  event.fields.host ??= input.host;
  return event;
}

// Joda's ISO8601 as the date filter reads it: a date, optionally a time and a zone.
const ISO8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function applyStep(step: PipelineStep, event: LogstashEvent): void {
  switch (step.op) {
    case 'drop-input-field':
      if (event.fields[step.field] !== undefined && event.fields[step.field] === event.metadata[step.field]) {
        delete event.fields[step.field];
      }
      return;
    case 'remove':
      for (const f of step.fields) delete event.fields[f];
      return;
    case 'timestamp': {
      const value = event.fields[step.field];
      const ms = typeof value === 'string' && ISO8601.test(value) ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms)) event.tags.push('_dateparsefailure');
      else event.fields['@timestamp'] = new Date(ms).toISOString();
    }
  }
}

export interface IndexedDocument {
  /** The index the document goes to, with the date pattern filled in from `@timestamp`. */
  index: string;
  source: Record<string, unknown>;
}

/** The steps, then the output's routing: the document Elasticsearch would receive. */
export function applyPipeline(
  event: LogstashEvent,
  steps: readonly PipelineStep[] = PIPELINE_STEPS,
): IndexedDocument {
  for (const step of steps) applyStep(step, event);
  const failed = event.tags.some((t) => (FAILURE_TAGS as readonly string[]).includes(t));
  const source = { ...event.fields, ...(event.tags.length ? { tags: [...event.tags] } : {}) };
  const at = new Date(String(event.fields['@timestamp']));
  const day = `${at.getUTCFullYear()}.${String(at.getUTCMonth() + 1).padStart(2, '0')}.${String(at.getUTCDate()).padStart(2, '0')}`;
  return { index: (failed ? UNPARSED_INDEX : INDEX).replace('%{+YYYY.MM.dd}', day), source };
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`;

function renderStep(step: PipelineStep): string {
  const comment = `  # ${step.why}\n`;
  switch (step.op) {
    case 'drop-input-field':
      return (
        `${comment}  if [${step.field}] and [${step.field}] == [@metadata][${step.field}] {\n` +
        `    mutate { remove_field => ${list([step.field])} }\n  }\n`
      );
    case 'remove':
      return `${comment}  mutate { remove_field => ${list(step.fields)} }\n`;
    case 'timestamp':
      return `${comment}  date {\n    match => ${list([step.field, step.format])}\n    target => "@timestamp"\n  }\n`;
  }
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Logstash's own `${NAME}` reference, which it expands from its environment when it loads the pipeline.
const ELASTICSEARCH_HOSTS = 'hosts => ["${ELASTICSEARCH_URL}"]';

function elasticsearchOutput(index: string, template: boolean): string {
  const lines = [
    ELASTICSEARCH_HOSTS,
    `index => ${quote(index)}`,
    'data_stream => false',
    template
      ? `manage_template => true\n      template => ${quote(TEMPLATE_MOUNT)}\n      template_name => ${quote(TEMPLATE_NAME)}\n      template_overwrite => true`
      : 'manage_template => false',
  ];
  return `    elasticsearch {\n      ${lines.join('\n      ')}\n    }\n`;
}

/** The pipeline file: `file` input with the `json` codec, the steps, and the two outputs. */
export function renderLogstashPipeline(steps: readonly PipelineStep[] = PIPELINE_STEPS): string {
  const failed = FAILURE_TAGS.map((t) => `${quote(t)} in [tags]`).join(' or ');
  return [
    '# Generated from config/logstash/pipeline.ts by config/build/build.ts. Do not edit.',
    '# ECS compatibility is off for this pipeline (config/logstash/pipelines.yml): the app has its',
    '# own `event` field, where ECS mode would put `event.original`.',
    'input {',
    '  file {',
    '    id => "app-logs-file"',
    `    path => ${list([`${APP_LOG_DIR}/*.jsonl`])}`,
    '    mode => "tail"',
    '    start_position => "beginning"',
    '    sincedb_path => "/usr/share/logstash/data/sincedb-app-logs"',
    '    codec => json',
    '  }',
    '}',
    'filter {',
    steps.map(renderStep).join('').trimEnd(),
    '}',
    'output {',
    `  if ${failed} {`,
    elasticsearchOutput(UNPARSED_INDEX, false).trimEnd(),
    '  } else {',
    elasticsearchOutput(INDEX, true).trimEnd(),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** pipelines.yml: the one pipeline, with ECS compatibility off. */
export function renderLogstashPipelines(): string {
  return [
    '# Generated from config/logstash/pipeline.ts by config/build/build.ts. Do not edit.',
    '- pipeline.id: app-logs',
    '  path.config: /usr/share/logstash/pipeline/app-logs.conf',
    '  pipeline.ecs_compatibility: disabled',
    '',
  ].join('\n');
}
