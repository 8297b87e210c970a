import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ajvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import ajv2020Module from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { LOG_SCHEMAS, type LogSchemaName, REDACTED } from './builtin.ts';

// ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is
// the whole module, so the constructors sit on `.default` (at run time as well).
const Ajv = ajvModule.default;
const Ajv2020 = ajv2020Module.default;
const addFormats = formatsModule.default;

export type { LogSchemaName } from './builtin.ts';

export interface LogSchema {
  /** Built-in name, or the absolute path the schema was read from. */
  name: string;
  file: string;
  schema: Record<string, unknown>;
  validate: ValidateFunction;
}

export interface LogProblem {
  /** JSON Pointer into the entry, `/` for the entry itself. */
  path: string;
  message: string;
}

export interface LogValidation {
  valid: boolean;
  problems: LogProblem[];
}

const cache = new Map<string, LogSchema>();

/** A built-in schema (`backend`, `frontend`, `loguru`) or a JSON Schema file (draft 2020-12 or 07). */
export function loadLogSchema(nameOrPath: LogSchemaName | string): LogSchema {
  const builtIn = Object.hasOwn(LOG_SCHEMAS, nameOrPath) ? (nameOrPath as LogSchemaName) : undefined;
  // Built-ins are held in memory: the package carries no schema files of its own.
  const file = builtIn ? `builtin:${builtIn}` : resolve(nameOrPath);
  const cached = cache.get(file);
  if (cached) return cached;
  let schema: Record<string, unknown>;
  if (builtIn) schema = LOG_SCHEMAS[builtIn] as Record<string, unknown>;
  else {
    if (!existsSync(file)) {
      throw new Error(
        `loadLogSchema: no built-in schema named ${JSON.stringify(nameOrPath)} ` +
          `(built in: ${Object.keys(LOG_SCHEMAS).join(', ')}) and no file at ${file}`,
      );
    }
    try {
      schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`loadLogSchema: ${file} is not JSON: ${(error as Error).message}`);
    }
  }
  const draft07 = typeof schema.$schema === 'string' && schema.$schema.includes('draft-07');
  // verbose: errors carry the failing value and the schema that failed, for messages that say
  // what was found and what a good value looks like. Built-in schemas are held to Ajv's strict
  // mode (it throws on a lax schema); a user's schema only has to be valid. strictRequired would
  // reject the standard if/then idiom, whose `then` requires properties declared one level up.
  const options = { allErrors: true, verbose: true, strict: builtIn !== undefined, strictRequired: false };
  const ajv = draft07 ? new Ajv(options) : new Ajv2020(options);
  addFormats(ajv);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new Error(`loadLogSchema: ${file} is not a valid JSON Schema: ${(error as Error).message}`);
  }
  const loaded: LogSchema = { name: builtIn ? nameOrPath : file, file, schema, validate };
  cache.set(file, loaded);
  return loaded;
}

/** Validates one parsed log entry; every problem is reported, one per field and cause. */
export function validateLogEntry(schema: LogSchema, entry: unknown): LogValidation {
  if (schema.validate(entry)) return { valid: true, problems: [] };
  const seen = new Set<string>();
  const problems: LogProblem[] = [];
  for (const error of schema.validate.errors ?? []) {
    const problem = describe(error);
    if (!problem) continue;
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { valid: false, problems };
}

/** Validates one line of a log file: JSON first, then the schema. */
export function validateLogLine(schema: LogSchema, line: string): LogValidation {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    return { valid: false, problems: [{ path: '/', message: `not JSON: ${(error as Error).message}` }] };
  }
  return validateLogEntry(schema, entry);
}

export function formatProblem(problem: LogProblem): string {
  return `${problem.path}: ${problem.message}`;
}

function got(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function describe(error: ErrorObject): LogProblem | undefined {
  const path = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const looksLike = typeof parent.description === 'string' ? parent.description : undefined;
  const actual = `(got ${got(error.data)})`;
  switch (error.keyword) {
    case 'if':
      return undefined; // the `then` errors that follow say what is missing
    case 'required':
      return {
        path: `${error.instancePath}/${String(params.missingProperty)}`,
        message: 'required field missing',
      };
    case 'additionalProperties':
      return {
        path: `${error.instancePath}/${String(params.additionalProperty)}`,
        message: 'unexpected field',
      };
    case 'type':
      return { path, message: `must be ${String(params.type).split(',').join(' or ')} ${actual}` };
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')} ${actual}` };
    case 'const':
      // Never echo what might be a leaked secret into test output or a drill report.
      if (params.allowedValue === REDACTED) return { path, message: `must be ${looksLike} (value withheld)` };
      return { path, message: `must be ${JSON.stringify(params.allowedValue)} ${actual}` };
    case 'pattern':
      return {
        path,
        message: `must be ${looksLike ?? `a string matching ${String(params.pattern)}`} ${actual}`,
      };
    case 'format':
      return { path, message: `must be ${looksLike ?? `a valid ${String(params.format)}`} ${actual}` };
    case 'minLength':
      return {
        path,
        message: params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} characters`,
      };
    case 'minimum':
    case 'maximum':
      return { path, message: `must be ${params.comparison} ${params.limit} ${actual}` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}
