import { z } from 'zod';
import type {
  AttemptRecord,
  ConditionResult,
  ErrorInfo,
  Lane,
  Result,
  StepResult,
  TimelineEvent,
} from './result.ts';
import { LANES } from './result.ts';
import { MARKS } from './timeline.ts';

/**
 * The published shape of what firedrill writes for machines: the `json` reporter's document and
 * each line of `results.jsonl`. The JSON Schema files in the package are generated from these
 * (`npm run schema:build`), and the checks at the bottom keep them equal to the TypeScript
 * model in both directions, so the schema cannot drift from what the code writes.
 *
 * `REPORT_VERSION` changes only when a field changes meaning or goes away. 2: conditions carry
 * `hop`, `phase`, `withinMs` and `deadline`; timeline events carry `lane`. Added within 2, all
 * optional so every earlier v2 document stays valid: `attempts` on retried runs.
 */
export const REPORT_VERSION = 2;

const status = z.enum(['pass', 'fail', 'error', 'skipped']);
const lane = z.enum(LANES as readonly Lane[] as [Lane, ...Lane[]]);
const epochMs = z.number().describe('epoch milliseconds');
const numbers = z.record(z.string(), z.number());

const errorInfo = z.object({
  message: z.string(),
  type: z.string().optional(),
  stack: z.string().optional(),
});

const step = z.object({
  name: z.string(),
  status,
  start: epochMs,
  durationMs: z.number().min(0),
  error: errorInfo.optional(),
  timings: numbers.optional(),
  requestIds: z.array(z.string()).optional(),
});

const attemptRecord = z.object({
  attempt: z.number().int().min(1),
  status,
  start: epochMs,
  durationMs: z.number().min(0),
  error: errorInfo.optional(),
});

const condition = z.object({
  condition: z.looseObject({ type: z.string(), within: z.number().min(0) }),
  hop: lane,
  phase: z.enum(['observe', 'resolve']),
  withinMs: z.number().min(0),
  deadline: epochMs,
  status,
  actual: z.unknown().optional(),
  satisfiedAt: epochMs.optional(),
  message: z.string().optional(),
  consequenceOf: z.string().optional(),
  marks: z.partialRecord(z.enum(MARKS), z.number()).optional(),
});

const event = z.object({
  at: epochMs,
  phase: z.enum(['preflight', 'inject', 'observe', 'rollback', 'resolve']),
  lane,
  event: z.string(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export const resultSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['probe', 'scenario', 'drill']),
  status,
  runId: z.string(),
  start: epochMs,
  durationMs: z.number().min(0),
  environment: z.string().optional(),
  location: z.string().optional(),
  attempt: z.number().int().min(1).optional(),
  flaky: z.boolean().optional(),
  attempts: z.array(attemptRecord).optional(),
  steps: z.array(step),
  error: errorInfo.optional(),
  artifacts: z.array(
    z.object({
      kind: z.enum(['screenshot', 'trace', 'console', 'log', 'other']),
      path: z.string(),
      contentType: z.string().optional(),
      description: z.string().optional(),
    }),
  ),
  metrics: numbers.optional(),
  probeKind: z.enum(['http', 'browser']).optional(),
  frontendErrors: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  timeline: z.array(event).optional(),
  conditions: z.array(condition).optional(),
  rollback: z.object({ status, at: epochMs.optional(), error: errorInfo.optional() }).optional(),
  diagnosis: z
    .object({ hop: lane, phase: z.enum(['preflight', 'observe', 'resolve']), message: z.string() })
    .optional(),
});

/** The `json` reporter's document. */
export const reportSchema = z.object({
  version: z.literal(REPORT_VERSION),
  runId: z.string(),
  startedAt: epochMs,
  durationMs: z.number().min(0),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(130), z.literal(143)]),
  results: z.array(resultSchema),
});

/** One line of `results.jsonl`: a Result with the version it was written in. */
export const resultLineSchema = resultSchema.extend({ version: z.literal(REPORT_VERSION) });

export type JsonReport = z.output<typeof reportSchema>;

// Both directions: a field added to the model but not the schema (or the other way) fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _result: Same<z.output<typeof resultSchema>, Result> = true;
const _step: Same<z.output<typeof step>, StepResult> = true;
const _event: Same<z.output<typeof event>, TimelineEvent> = true;
const _error: Same<z.output<typeof errorInfo>, ErrorInfo> = true;
const _attempt: Same<z.output<typeof attemptRecord>, AttemptRecord> = true;
const _condition: Same<
  Omit<z.output<typeof condition>, 'condition'>,
  Omit<ConditionResult, 'condition'>
> = true;
void [_result, _step, _event, _error, _attempt, _condition];

/** The JSON Schemas the package publishes (`firedrill/report.schema.json`, `firedrill/result-line.schema.json`). */
export function reportJsonSchemas(): Record<'report' | 'result-line', Record<string, unknown>> {
  const render = (schema: z.ZodType, name: string, title: string) => ({
    $id: `urn:firedrill:schema:${name}:${REPORT_VERSION}`,
    title,
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }),
  });
  return {
    report: render(reportSchema, 'report', `firedrill JSON report, version ${REPORT_VERSION}`),
    'result-line': render(
      resultLineSchema,
      'result-line',
      `one line of firedrill's results.jsonl, version ${REPORT_VERSION}`,
    ),
  };
}
