import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appLogsIndexTemplate } from '../../../config/logstash/index-template.ts';
import {
  APP_LOG_DIR,
  APP_LOG_FILE,
  applyPipeline,
  fileInputEvent,
  PIPELINE_STEPS,
  renderLogstashPipeline,
  TEMPLATE_MOUNT,
} from '../../../config/logstash/pipeline.ts';
import { backendLogSchema, frontendLogSchema } from '../../../packages/firedrill/src/log-schemas/builtin.ts';
import {
  formatProblem,
  loadLogSchema,
  validateLogEntry,
} from '../../../packages/firedrill/src/log-schemas/validate.ts';
import { APP_LOGS_TEMPLATE } from '../../../packages/firedrill/src/stack/components/opensearch.ts';
import { startApp, type TestApp } from '../demo-app/helpers.ts';
import { badLogSamples, goodLogLines } from '../monitoring-config/fixtures/log-samples.ts';
import { REPO_ROOT } from '../monitoring-config/tools.ts';

const INPUT = { path: APP_LOG_FILE, host: 'logstash-1', now: new Date('2030-01-01T00:00:00.000Z') };
const ship = (line: string) => applyPipeline(fileInputEvent(line, INPUT));
const day = (time: string) => time.slice(0, 10).replaceAll('-', '.');

// The same sample entries the log-schema tests use (test/unit/monitoring-config/fixtures).
describe.each(['backend', 'frontend'] as const)('%s samples through the pipeline', (name) => {
  const schema = loadLogSchema(name);

  it.each(goodLogLines(name).map((line, i) => [i + 1, line] as const))(
    'good line %i: indexed into its day, unchanged but for @timestamp, still valid',
    (_i, line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const doc = ship(line);
      expect(doc.index).toBe(`app-logs-${day(String(entry.time))}`);
      expect(doc.source).toEqual({ ...entry, '@timestamp': entry.time });
      expect(validateLogEntry(schema, doc.source)).toEqual({ valid: true, problems: [] });
    },
  );

  // The pipeline neither hides a broken entry's problems nor adds any; what is not a JSON object
  // at all is no log entry, and is kept apart.
  it.each(badLogSamples(name).map((s) => [s.case, s] as const))(
    'bad entry keeps its problems: %s',
    (_c, sample) => {
      const doc = ship(JSON.stringify(sample.entry));
      if (sample.entry === null || typeof sample.entry !== 'object' || Array.isArray(sample.entry)) {
        expect(doc.index).toMatch(/^unparsed-app-logs-/);
        return;
      }
      expect(validateLogEntry(schema, doc.source).problems.map(formatProblem)).toEqual(sample.problems);
    },
  );
});

describe('what the inputs add and the outputs route', () => {
  const base = JSON.parse(goodLogLines('backend')[1]!) as Record<string, unknown>;

  it("drops the file input's path and host but keeps an access log's own request path", () => {
    expect(ship(JSON.stringify(base)).source).not.toHaveProperty('path');
    expect(ship(JSON.stringify(base)).source).not.toHaveProperty('host');
    expect(ship(JSON.stringify({ ...base, path: '/api/items/7' })).source.path).toBe('/api/items/7');
    expect(ship(JSON.stringify({ ...base, host: 'app-7' })).source.host).toBe('app-7');
  });

  it('a line that is not JSON goes to unparsed-app-logs-*, outside the app-logs-* pattern', () => {
    const doc = ship('panic: runtime error');
    expect(doc.index).toBe('unparsed-app-logs-2030.01.01');
    expect(doc.source).toMatchObject({
      message: 'panic: runtime error',
      tags: ['_jsonparsefailure', '_dateparsefailure'],
    });
  });

  it('a line whose time does not parse goes there too, with its original time kept', () => {
    const doc = ship(JSON.stringify({ ...base, time: 'yesterday' }));
    expect(doc.index).toBe('unparsed-app-logs-2030.01.01');
    expect(doc.source).toMatchObject({ time: 'yesterday', tags: ['_dateparsefailure'] });
  });

  it('no step removes a field the log schemas name', () => {
    const named = new Set([
      ...Object.keys(backendLogSchema.properties as object),
      ...Object.keys(frontendLogSchema.properties as object),
    ]);
    for (const step of PIPELINE_STEPS) {
      if (step.op === 'remove') for (const f of step.fields) expect(named.has(f), f).toBe(false);
    }
  });
});

describe('the real demo app, its log file through the pipeline', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
    await app.request('/api/login', { method: 'POST', json: { username: 'demo', password: 'wrong' } });
    const token = await app.login();
    await app.request('/api/items', { token });
    await app.request('/api/items/999999', { token });
    await app.request('/api/logs', {
      method: 'POST',
      token,
      json: {
        logs: [
          {
            level: 'warn',
            msg: 'preview failed',
            time: new Date().toISOString(),
            session_id: 's-1',
            page: '/images',
          },
        ],
      },
    });
    await app.waitForLog((l) => l.source === 'frontend');
    await app.waitForLog((l) => l.route === '/api/items/:id' && l.event === 'http_request');
  });
  afterAll(() => app?.close());

  it('every line lands in app-logs-* and validates against its source schema', () => {
    const lines = readFileSync(app.logFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    const sources = new Set<string>();
    for (const line of lines) {
      const doc = ship(line);
      const source = String(doc.source.source);
      sources.add(source);
      expect(doc.index, line).toMatch(/^app-logs-\d{4}\.\d{2}\.\d{2}$/);
      const result = validateLogEntry(loadLogSchema(source as 'backend' | 'frontend'), doc.source);
      expect(result.problems.map(formatProblem), line).toEqual([]);
    }
    expect([...sources].sort()).toEqual(['backend', 'frontend']);
  });
});

describe('the generated files', () => {
  const conf = readFileSync(join(REPO_ROOT, 'config/logstash/pipeline/app-logs.conf'), 'utf8');
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));

  it('the pipeline file is the rendering of the steps, with balanced braces', () => {
    expect(conf).toBe(renderLogstashPipeline());
    const opened = conf.replace(/"(?:[^"\\]|\\.)*"|#.*$/gm, '');
    expect(opened.split('{').length).toBe(opened.split('}').length);
    expect(conf).toContain('match => ["time", "ISO8601"]');
    expect(conf).toContain('index => "app-logs-%{+YYYY.MM.dd}"');
  });

  it('reads and writes where docker-compose.yml mounts things', () => {
    const volumes: string[] = compose.services.logstash.volumes;
    expect(volumes).toContain(`app-logs:${APP_LOG_DIR}:ro`);
    expect(volumes).toContain(
      `./config/logstash/templates:${TEMPLATE_MOUNT.slice(0, TEMPLATE_MOUNT.lastIndexOf('/'))}:ro`,
    );
    expect(compose.services['demo-app'].environment.DEMO_LOG_FILE).toBe(APP_LOG_FILE);
    const [pipeline] = parse(readFileSync(join(REPO_ROOT, 'config/logstash/pipelines.yml'), 'utf8'));
    expect(pipeline['pipeline.ecs_compatibility']).toBe('disabled');
    expect(volumes).toContain('./config/logstash/pipelines.yml:/usr/share/logstash/config/pipelines.yml:ro');
  });

  it("the index template maps every field the schemas name, as the local stack's template does", () => {
    const props = (
      appLogsIndexTemplate().template as { mappings: { properties: Record<string, { type?: string }> } }
    ).mappings.properties;
    for (const field of [...Object.keys(backendLogSchema.properties as object), 'session_id', 'page']) {
      expect(props, field).toHaveProperty(field);
    }
    expect(props.time).toEqual({ type: 'date' });
    expect(props.request_id?.type).toBe('keyword');
    for (const [field, mapping] of Object.entries(APP_LOGS_TEMPLATE.template.mappings.properties)) {
      expect(props[field]?.type, field).toBe(mapping.type);
    }
    expect(
      JSON.parse(readFileSync(join(REPO_ROOT, 'config/logstash/templates/app-logs.json'), 'utf8')),
    ).toEqual(appLogsIndexTemplate());
  });
});
