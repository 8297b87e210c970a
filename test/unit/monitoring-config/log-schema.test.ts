import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  loadLogSchema,
  validateLogEntry,
  validateLogLine,
} from '../../../packages/firedrill/src/log-schemas/validate.ts';
import { badLogSamples, goodLogLines, type SampleSchema } from './fixtures/log-samples.ts';
import { tempDir } from './tools.ts';

const SCHEMAS: SampleSchema[] = ['backend', 'frontend', 'loguru'];

describe.each(SCHEMAS)('%s log schema', (name) => {
  const schema = loadLogSchema(name);

  it.each(goodLogLines(name).map((line, i) => [i + 1, line] as const))('accepts good line %i', (_i, line) => {
    expect(validateLogLine(schema, line)).toEqual({ valid: true, problems: [] });
  });

  it.each(badLogSamples(name).map((s) => [s.case, s] as const))('rejects: %s', (_case, sample) => {
    const result = validateLogEntry(schema, sample.entry);
    expect(result.valid).toBe(false);
    expect(result.problems.map(formatProblem)).toEqual(sample.problems);
  });
});

describe('validateLogEntry', () => {
  it('never echoes the value of a secret-looking field', () => {
    const result = validateLogEntry(loadLogSchema('backend'), {
      ...JSON.parse(goodLogLines('backend')[0]!),
      db: { Password: 'correct horse battery staple' },
    });
    expect(JSON.stringify(result)).not.toContain('correct horse');
    expect(result.problems).toEqual([
      {
        path: '/db/Password',
        message: 'must be "[REDACTED]": this key looks like a secret (value withheld)',
      },
    ]);
  });

  it('reports a line that is not JSON', () => {
    expect(validateLogLine(loadLogSchema('backend'), '{"level":"info",')).toEqual({
      valid: false,
      problems: [{ path: '/', message: expect.stringMatching(/^not JSON: /) }],
    });
  });

  it('shortens long values it quotes', () => {
    const long = 'x'.repeat(100);
    const [problem] = validateLogEntry(loadLogSchema('backend'), {
      ...JSON.parse(goodLogLines('backend')[1]!),
      status_code: long,
    }).problems;
    expect(problem?.message).toBe(`must be integer (got "${'x'.repeat(56)}…)`);
  });
});

describe('loadLogSchema', () => {
  const tmp = tempDir('log-schema');

  it('caches schemas by file', () => {
    expect(loadLogSchema('backend')).toBe(loadLogSchema('backend'));
  });

  it('loads a draft-07 schema from a file and reports unexpected fields', () => {
    const file = tmp.write(
      'worker.schema.json',
      JSON.stringify({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        required: ['msg'],
        properties: { msg: { type: 'string' } },
        additionalProperties: false,
      }),
    );
    const schema = loadLogSchema(file);
    expect(schema.name).toBe(file);
    expect(validateLogEntry(schema, { message: 'hi' }).problems.map(formatProblem)).toEqual([
      '/message: unexpected field',
      '/msg: required field missing',
    ]);
  });

  it.each([
    [
      'nope',
      /^loadLogSchema: no built-in schema named "nope" \(built in: backend, frontend, loguru\) and no file at \/.*\/nope$/,
    ],
    ['broken.json', /^loadLogSchema: \/.*\/broken\.json is not JSON: /],
    ['invalid.json', /^loadLogSchema: \/.*\/invalid\.json is not a valid JSON Schema: /],
  ])('pins its error for %s', (file, message) => {
    tmp.write('broken.json', '{"type": ');
    tmp.write('invalid.json', JSON.stringify({ type: 'objekt' }));
    const path = file === 'nope' ? 'nope' : `${tmp.dir}/${file}`;
    expect(() => loadLogSchema(path)).toThrow(message);
  });
});
