import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { REPORT_VERSION } from '../core/report-schema.ts';
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
