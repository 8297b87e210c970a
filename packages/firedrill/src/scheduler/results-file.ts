import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { REPORT_VERSION, resultLineSchema } from '../core/report-schema.ts';
import type { Result } from '../core/result.ts';
import { assertConforms } from '../reporting/validate-report.ts';

/**
 * Every Result as one JSON line, appended. One stream for the process: lines from concurrent
 * runs never interleave mid-line, and a write error is logged instead of ending the scheduler.
 */
export class ResultsFile {
  readonly #stream: WriteStream;
  #failed = false;

  constructor(
    readonly file: string,
    logger: Logger,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.#stream = createWriteStream(file, { flags: 'a' });
    this.#stream.on('error', (err) => {
      if (!this.#failed)
        logger.error({ err, file }, 'cannot write the results file; results go to metrics only');
      this.#failed = true;
    });
  }

  /** Each line carries the report version it was written in, so a reader years later knows its shape. */
  append(result: Result): void {
    if (this.#failed) return;
    const line = { version: REPORT_VERSION, ...result };
    assertConforms('result-line', line, this.file);
    this.#stream.write(`${JSON.stringify(line)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#failed || this.#stream.closed) return resolve();
      this.#stream.end(() => resolve());
    });
  }
}

/** Results are capped well below this (core/result.ts); a longer line is not one firedrill wrote. */
export const MAX_RESULT_LINE_BYTES = 8 * 1024 * 1024;

export type ResultLine =
  | { ok: true; line: number; result: Result }
  | { ok: false; line: number; problem: string };

/** One line of results.jsonl, or why it cannot be read; never throws. `line` is 1-based. */
export function parseResultLine(text: string, line: number): ResultLine {
  const skip = (problem: string): ResultLine => ({ ok: false, line, problem: `line ${line}: ${problem}` });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_RESULT_LINE_BYTES)
    return skip(`${bytes} bytes, over the ${MAX_RESULT_LINE_BYTES} byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return skip(`not JSON (a line cut short by a crash?): ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return skip(
      `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  const { version } = value as { version?: unknown };
  if (version === undefined) return skip('no version: written before results.jsonl lines carried one');
  if (version !== REPORT_VERSION)
    return skip(`version ${JSON.stringify(version)}; this firedrill reads version ${REPORT_VERSION}`);
  const parsed = resultLineSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return skip(`not a result: ${issues.join('; ')}`);
  }
  const { version: _version, ...result } = parsed.data;
  return { ok: true, line, result };
}

/**
 * Every readable result of a results.jsonl, and a problem per line that is not one (a torn last
 * line, another version, a line some other program appended). Lines are split while streaming,
 * so a huge line is skipped without being held in memory.
 */
export async function readResultsFile(file: string): Promise<{ results: Result[]; skipped: string[] }> {
  const results: Result[] = [];
  const skipped: string[] = [];
  let line = 0;
  let parts: Buffer[] = [];
  let size = 0;
  const finish = () => {
    line++;
    if (size > MAX_RESULT_LINE_BYTES) {
      skipped.push(`line ${line}: over ${MAX_RESULT_LINE_BYTES} bytes`);
    } else {
      const text = Buffer.concat(parts).toString('utf8');
      if (text.trim()) {
        const read = parseResultLine(text, line);
        if (read.ok) results.push(read.result);
        else skipped.push(read.problem);
      }
    }
    parts = [];
    size = 0;
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      size += piece.length;
      if (size <= MAX_RESULT_LINE_BYTES) parts.push(piece);
      finish();
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    size += rest.length;
    if (size <= MAX_RESULT_LINE_BYTES) parts.push(rest);
    else parts = [];
  }
  if (size > 0) finish();
  return { results, skipped };
}
