import { z } from 'zod';
import { cronProblem } from '../core/cron.ts';
import { show } from '../core/show.ts';

/** Lowercase letters, digits and dashes, starting and ending with a letter or digit; a metric label value. */
export const PROBE_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_RETRIES = 10;

/** `required` for a missing value, else what was expected and what was found. */
const expected =
  (what: string) =>
  (iss: { input: unknown }): string =>
    iss.input === undefined ? 'required' : `expected ${what}, got ${show(iss.input)}`;

export const probeSchema = z
  .object({
    id: z.string({ error: expected('a string') }).regex(PROBE_ID, {
      error: (iss) =>
        `expected lowercase letters, digits and dashes (like "api-items"), got ${show(iss.input)}`,
    }),
    name: z
      .string({ error: expected('a string') })
      .min(1, { error: 'must not be empty' })
      .optional(),
    kind: z.enum(['browser', 'http'], { error: expected('"browser" or "http"') }),
    schedule: z
      .string({ error: expected('a cron expression string') })
      .superRefine((expr, ctx) => {
        const problem = cronProblem(expr);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    timeoutMs: z
      .number({ error: expected('a positive number of milliseconds') })
      .refine((n) => Number.isFinite(n) && n > 0, {
        error: (iss) => `expected a positive number of milliseconds, got ${show(iss.input)}`,
      })
      .optional(),
    retries: z
      .number({ error: expected(`an integer from 0 to ${MAX_RETRIES}`) })
      .refine((n) => Number.isInteger(n) && n >= 0 && n <= MAX_RETRIES, {
        error: (iss) => `expected an integer from 0 to ${MAX_RETRIES}, got ${show(iss.input)}`,
      })
      .optional(),
    tags: z
      .array(z.string({ error: expected('a string') }), { error: expected('an array of strings') })
      .optional(),
    environments: z
      .array(z.string({ error: expected('an environment name') }), {
        error: expected('an array of environment names'),
      })
      .optional(),
    run: z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
      error: (iss) =>
        iss.input === undefined
          ? 'required (async run(ctx) { … })'
          : `expected a function, got ${show(iss.input)}`,
    }),
  })
  .strict();

export const PROBE_KEYS = Object.keys(probeSchema.shape);
