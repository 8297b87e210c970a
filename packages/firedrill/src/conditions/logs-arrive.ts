import { z } from 'zod';
import { keywordTerms } from '../clients/elasticsearch.ts';
import { durationMs, formatMs } from '../core/duration.ts';
import { formatProblem, type LogSchema, loadLogSchema, validateLogEntry } from '../log-schemas/validate.ts';
import { defineConditionKind } from './kind.ts';
import { contractFindings } from './log-contract.ts';
import {
  conclusiveFail,
  errored,
  fail,
  nextPoll,
  pass,
  type Verifier,
  type VerifierContext,
} from './types.ts';

export const DEFAULT_LOG_INDEX = 'app-logs-*';

export type { LogMatchValue } from './log-contract.ts';

const matchValue = z.union([z.string(), z.number(), z.boolean()]);

const schema = z.strictObject({
  type: z.literal('logsArrive'),
  /** Index pattern to search. @defaultValue 'app-logs-*' */
  index: z.string().min(1).optional(),
  /**
   * The JSON Schema every entry must pass: a built-in one by name (`backend`, `frontend`), or
   * the path of a `.json` file (the team's own log contract).
   */
  schema: z
    .string()
    .regex(/^[a-z0-9-]+$|\.json$/, 'expected a built-in schema name like backend, or a path to a .json file')
    .optional(),
  /**
   * Field values that further narrow the entries, on top of the drill's own request ids.
   * @example { event: 'http_request', status_code: 500 }
   */
  match: z.record(z.string(), matchValue).optional(),
  /**
   * Fields required only on some entries, which a schema keeps optional for the rest.
   * @example [{ when: { route: '/api/items' }, fields: ['user_id'] }]
   */
  require: z
    .array(
      z.strictObject({ when: z.record(z.string(), matchValue), fields: z.array(z.string().min(1)).min(1) }),
    )
    .optional(),
  /**
   * Fields the schema does not declare (a rename such as `user_id` → `userId` passes a schema
   * that allows extra fields): `warn` notes them on the timeline, `error` fails the condition.
   * @defaultValue 'ignore'
   */
  unknownFields: z.enum(['ignore', 'warn', 'error']).optional(),
  /** How many matching entries must arrive. @defaultValue 1 */
  minEntries: z.number().int().min(1).optional(),
  /** Deadline, counted from the moment the fault was injected. */
  within: durationMs,
});

/** As a drill file writes it. */
export type LogsArriveCondition = z.input<typeof schema>;
/** As the drill runs it: `within` in ms. */
export type LogsArrivePlan = z.output<typeof schema>;

/**
 * The log entries caused by the drill's own requests must reach the log store and pass the schema.
 * @example logsArrive({ index: 'app-logs-*', schema: 'backend', match: { status_code: 500 }, within: '20s' })
 */
export function logsArrive(opts: Omit<LogsArriveCondition, 'type'>): LogsArriveCondition {
  return { type: 'logsArrive', ...opts };
}

export const logsArriveKind = defineConditionKind({
  type: 'logsArrive',
  schema,
  verifier: (plan, ctx) => logsArriveVerifier(plan, ctx),
});
// Log stores refresh about once a second; polling faster only repeats the same answer.
const LOG_POLL_MS = 500;
const PAGE = 500;

interface SeenEntry {
  id: string;
  index: string;
  source: Record<string, unknown>;
  /** Epoch ms when firedrill first found it. */
  seenAt: number;
  /** seenAt − the entry's own `time`: how long shipping and indexing took (plus up to one poll). */
  ingestDelayMs?: number;
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Field-level differences over all entries: each problem once, with how many entries have it. */
export function summarizeProblems(schema: LogSchema, entries: readonly Record<string, unknown>[]) {
  const counts = new Map<string, number>();
  let invalid = 0;
  for (const e of entries) {
    const v = validateLogEntry(schema, e);
    if (v.valid) continue;
    invalid++;
    for (const p of v.problems) counts.set(formatProblem(p), (counts.get(formatProblem(p)) ?? 0) + 1);
  }
  const problems = [...counts].map(([problem, n]) => ({ problem, entries: n }));
  return { invalid, problems };
}

function problemText(p: { problem: string; entries: number }[], total: number): string {
  return p
    .slice(0, 5)
    .map((x) => `${x.problem} (${x.entries} of ${total})`)
    .join('; ');
}

/**
 * The log entries the drill's own requests caused (found by their request ids) arrive in the log
 * store and pass the JSON Schema. Records ingest delay per entry: when firedrill saw it minus the
 * entry's own `time`.
 */
export function logsArriveVerifier(cond: LogsArrivePlan, ctx: VerifierContext): Verifier<LogsArrivePlan> {
  const within = cond.within;
  const index = cond.index ?? DEFAULT_LOG_INDEX;
  const minEntries = cond.minEntries ?? 1;
  return {
    condition: { ...cond, index, minEntries },
    hop: 'log',
    phase: 'observe',
    async wait(deadline, signal) {
      const es = ctx.elasticsearch;
      if (!es) return errored(new Error('the environment has no elasticsearchUrl'));
      let logsSeen: number | undefined;
      let schema: LogSchema | undefined;
      try {
        schema = cond.schema ? loadLogSchema(cond.schema) : undefined;
      } catch (err) {
        return errored(err);
      }
      const seen = new Map<string, SeenEntry>();
      let warned = false;
      let lastError: string | undefined;
      const filters = Object.entries(cond.match ?? {}).map(([k, v]) => keywordTerms(k, [v]));
      do {
        const ids = ctx.requestIds();
        if (ids.length === 0) continue;
        try {
          const res = await es.search<Record<string, unknown>>(
            index,
            { size: PAGE, query: { bool: { filter: [keywordTerms('request_id', ids), ...filters] } } },
            signal,
          );
          lastError = undefined;
          const now = Date.now();
          for (const hit of res.hits.hits) {
            const key = `${hit._index}/${hit._id}`;
            if (seen.has(key)) continue;
            const t = typeof hit._source.time === 'string' ? Date.parse(hit._source.time) : Number.NaN;
            seen.set(key, {
              id: hit._id,
              index: hit._index,
              source: hit._source,
              seenAt: now,
              ...(Number.isFinite(t) ? { ingestDelayMs: now - t } : {}),
            });
          }
        } catch (err) {
          if (signal.aborted) break;
          lastError = (err as Error).message;
          continue;
        }
        if (seen.size === 0) continue;
        const entries = [...seen.values()].sort((a, b) => a.seenAt - b.seenAt);
        const first = entries[0]!;
        if (logsSeen === undefined) {
          logsSeen = first.seenAt;
          ctx.timeline.add(
            'log',
            'observe',
            `log entries in ${index}`,
            { index: first.index, requestId: first.source.request_id },
            first.seenAt,
          );
        }
        if (entries.length < minEntries) continue;
        const delays = entries
          .map((e) => e.ingestDelayMs)
          .filter((d): d is number => d !== undefined)
          .sort((a, b) => a - b);
        const actual = {
          entries: entries.length,
          indices: [...new Set(entries.map((e) => e.index))],
          ingestDelayMs: { min: delays[0], median: percentile(delays, 0.5), max: delays.at(-1) },
          firstSeenAt: first.seenAt,
        };
        const contract = contractFindings(
          entries.map((e) => e.source),
          cond.require ?? [],
          cond.unknownFields && cond.unknownFields !== 'ignore' ? schema : undefined,
        );
        const broken = [...contract.missing, ...(cond.unknownFields === 'error' ? contract.unknown : [])];
        if (broken.length) {
          return conclusiveFail(
            `log entries break the drill's field contract: ${problemText(
              broken.map((b) => ({ problem: b.problem, entries: b.entries })),
              entries.length,
            )}`,
            { ...actual, contract: broken },
            { logsSeen: first.seenAt },
          );
        }
        if (contract.unknown.length && cond.unknownFields === 'warn' && !warned) {
          warned = true;
          ctx.timeline.add(
            'log',
            'observe',
            `warning: fields the schema does not know: ${contract.unknown.map((u) => u.problem).join('; ')}`,
          );
        }
        if (schema) {
          const { invalid, problems } = summarizeProblems(
            schema,
            entries.map((e) => e.source),
          );
          if (invalid > 0) {
            // Entries already written stay invalid: no wait can mend them.
            return conclusiveFail(
              `${invalid} of ${entries.length} log entries fail schema ${schema.name.replace(/.*\//, '')}: ${problemText(problems, entries.length)}`,
              { ...actual, invalid, problems },
              { logsSeen: first.seenAt },
            );
          }
        }
        return pass(entries[minEntries - 1]!.seenAt, actual, undefined, { logsSeen: first.seenAt });
      } while (await nextPoll(deadline, signal, LOG_POLL_MS));
      if (lastError && seen.size === 0) return errored(new Error(`${index}: ${lastError}`));
      return fail(
        await diagnoseMissing(ctx, index, schema, seen.size, minEntries, within, signal),
        { entries: seen.size },
        logsSeen === undefined ? undefined : { logsSeen },
      );
    },
  };
}

/**
 * Nothing (or too little) carried the drill's request ids. Looks at what did arrive in the time
 * window: entries without `request_id` usually mean a shipper or app change dropped the field,
 * and the schema names it.
 */
async function diagnoseMissing(
  ctx: VerifierContext,
  index: string,
  schema: LogSchema | undefined,
  found: number,
  minEntries: number,
  within: number,
  signal: AbortSignal,
): Promise<string> {
  const head = `${found} of ${minEntries} log entries with the drill's ${ctx.requestIds().length} request ids reached ${index} within ${formatMs(within)}`;
  if (!ctx.elasticsearch || signal.aborted) return head;
  try {
    const res = await ctx.elasticsearch.search<Record<string, unknown>>(index, {
      size: 50,
      query: { range: { time: { gte: new Date(ctx.injectedAt).toISOString() } } },
    });
    const entries = res.hits.hits.map((h) => h._source);
    if (entries.length === 0)
      return `${head}; no entries at all arrived in that window: is the log shipper running?`;
    const withoutId = entries.filter((e) => e.request_id === undefined).length;
    let why = `; ${entries.length} other entries arrived in that window`;
    if (withoutId > 0) why += `, ${withoutId} of them without request_id`;
    if (schema) {
      const { problems } = summarizeProblems(schema, entries);
      if (problems.length)
        why += `; schema ${schema.name.replace(/.*\//, '')}: ${problemText(problems, entries.length)}`;
    }
    return head + why;
  } catch {
    return head;
  }
}
