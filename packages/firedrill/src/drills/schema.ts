import { z } from 'zod';
import { conditionSchema } from '../conditions/index.ts';
import { cronProblem } from '../core/cron.ts';
import { durationMs } from '../core/duration.ts';
import { faultSchema } from '../faults/index.ts';

/** Validates what a drill file exported; every problem becomes one diagnostic naming its path. */

const faultList = z.array(faultSchema).min(1, 'needs at least one fault');

const trafficRequest = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).optional(),
  path: z.string().startsWith('/', 'expected a path starting with /'),
  body: z.unknown().optional(),
  uploadImage: z
    .strictObject({
      field: z.string().min(1),
      width: z.number().int().min(1).max(4096).optional(),
      height: z.number().int().min(1).max(4096).optional(),
    })
    .optional(),
  login: z.boolean().optional(),
  expectStatus: z.number().int().min(100).max(599).optional(),
});

const requestTraffic = z.strictObject({
  requests: z.array(trafficRequest).min(1, 'needs at least one request'),
  ratePerSec: z.number().positive().max(100, 'at most 100 per second').optional(),
  maxRequests: z.number().int().positive().max(20_000).optional(),
  maxInFlight: z.number().int().positive().max(64).optional(),
  slowMs: z.number().positive().optional(),
});

const probeTraffic = z.strictObject({
  probe: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a probe id like api'),
  everyMs: z.number().int().min(100, 'at least 100 ms').max(60_000, 'at most 60000 ms').optional(),
  maxRuns: z.number().int().positive().max(10_000).optional(),
});

export const drillSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes'),
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  environments: z.array(z.string().min(1)).optional(),
  schedule: z
    .string()
    .superRefine((expr, ctx) => {
      const problem = cronProblem(expr);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  // Checked below: a union of "one or a list" would report only "Invalid input" for a bad fault.
  fault: z.custom<unknown>((v) => v !== undefined, {
    error: 'required: a fault built by appFault, badTraffic, shell, toxiproxy or injectAlert',
  }),
  // Which of the two is meant is plain from its keys; a union would only say "Invalid input".
  traffic: z
    .custom<unknown>(() => true)
    .superRefine((t, ctx) => {
      const shape = t !== null && typeof t === 'object' && 'probe' in t ? probeTraffic : requestTraffic;
      const parsed = shape.safeParse(t);
      if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as never);
    })
    .optional(),
  expect: z.array(conditionSchema).min(1, 'a drill must expect something'),
  resolve: z
    .union([
      z.literal(false),
      z.strictObject({ within: durationMs, alert: z.boolean().optional(), message: z.boolean().optional() }),
    ])
    .optional(),
  requireEffect: z.boolean().optional(),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  tags: z.array(z.string()).optional(),
});

export function parseFaults(value: unknown) {
  return (Array.isArray(value) ? faultList : faultSchema).safeParse(value);
}

/** Problems of a drill's `fault`, one fault or a list, with paths under `fault`. */
export function faultIssues(value: unknown): { path: (string | number)[]; message: string }[] {
  if (value === undefined) return [];
  const checked = parseFaults(value);
  if (checked.success) return [];
  return checked.error.issues.map((i) => ({
    path: ['fault', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: i.message,
  }));
}
