import type { BrowserContext } from 'playwright';
import { formatError } from './faro.ts';

/** Enough to see what led up to a failure without letting a chatty page grow memory without bound. */
const MAX_LINES = 1000;

/**
 * What the page said while the probe ran: console messages, uncaught errors, failed requests
 * and HTTP error responses. Kept in memory and written out only when the run fails.
 */
export class ConsoleRecorder {
  readonly lines: string[] = [];
  /** Uncaught page errors, spelled like Faro exceptions so both sources dedupe. */
  readonly pageErrors: string[] = [];
  #dropped = 0;

  install(context: BrowserContext): void {
    context.on('console', (msg) => {
      const loc = msg.location();
      const where = loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
      this.#add(`[console.${msg.type()}] ${msg.text()}${where}`);
    });
    context.on('weberror', (e) => {
      const err = e.error();
      this.pageErrors.push(formatError(err.name || 'Error', err.message));
      this.#add(`[pageerror] ${err.stack ?? `${err.name}: ${err.message}`}`);
    });
    // A renderer crash (out of memory, a Chromium bug) is the frontend failing as surely as an
    // uncaught error, and nothing else in the page reports it.
    context.on('page', (page) =>
      page.on('crash', () => {
        this.pageErrors.push(formatError('PageCrash', `renderer process of ${page.url()} crashed`));
        this.#add(`[crash] renderer process of ${page.url()} crashed`);
      }),
    );
    context.on('requestfailed', (req) => {
      this.#add(`[requestfailed] ${req.method()} ${req.url()}: ${req.failure()?.errorText ?? 'failed'}`);
    });
    context.on('response', (res) => {
      if (res.status() >= 400) this.#add(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
    });
  }

  /** A free-form line from the runtime itself (abort, crash), so the log tells the whole story. */
  note(text: string): void {
    this.#add(`[firedrill] ${text}`);
  }

  text(): string {
    const tail = this.#dropped ? `[firedrill] ${this.#dropped} earlier lines dropped\n` : '';
    return tail + this.lines.join('\n') + (this.lines.length ? '\n' : '');
  }

  #add(line: string): void {
    this.lines.push(`${new Date().toISOString()} ${line}`);
    if (this.lines.length > MAX_LINES) {
      this.lines.shift();
      this.#dropped++;
    }
  }
}
