import ajv2020Module from 'ajv/dist/2020.js';
import { reportJsonSchemas } from '../core/report-schema.ts';

const Ajv2020 = ajv2020Module.default;

type Check = (doc: unknown) => string | undefined;
let checks: Record<'report' | 'result-line', Check> | undefined;

/**
 * Validates a document against the published JSON Schema (with Ajv, as a consumer would, not
 * with the zod schema it came from). Returns the first problems, or undefined when it conforms.
 */
export function reportProblems(kind: 'report' | 'result-line', doc: unknown): string | undefined {
  checks ??= (() => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const schemas = reportJsonSchemas();
    const compile = (s: Record<string, unknown>): Check => {
      const validate = ajv.compile(s);
      return (d) =>
        validate(d)
          ? undefined
          : (validate.errors ?? [])
              .slice(0, 5)
              .map((e) => `${e.instancePath || '/'} ${e.message}`)
              .join('; ');
    };
    return { report: compile(schemas.report), 'result-line': compile(schemas['result-line']) };
  })();
  return checks[kind](doc);
}

/**
 * Set by the test suite for every process it starts: each report and results line firedrill
 * writes is checked against the published schema, and a mismatch fails the write loudly.
 */
export const VALIDATE_REPORTS = process.env.FIREDRILL_VALIDATE_REPORTS === '1';

export function assertConforms(kind: 'report' | 'result-line', doc: unknown, where: string): void {
  if (!VALIDATE_REPORTS) return;
  const problems = reportProblems(kind, doc);
  if (problems) throw new Error(`${where} does not conform to the ${kind} JSON Schema: ${problems}`);
}
