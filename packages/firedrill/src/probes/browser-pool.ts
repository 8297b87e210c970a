import type {
  BrowserRuntime,
  BrowserRuntimeOptions,
  BrowserSession,
  OpenSessionOptions,
} from './browser/index.ts';
import { BrowserCrashError } from './outcome.ts';

export type BrowserLauncher = () => Promise<BrowserRuntime>;

/**
 * Starts the browser runtime, importing its module only when a browser probe actually runs:
 * an http-only run never loads Playwright, let alone starts Chromium.
 */
export function browserLauncher(opts: BrowserRuntimeOptions): BrowserLauncher {
  return async () => {
    const { createBrowserRuntime } = await import('./browser/index.ts');
    return createBrowserRuntime(opts);
  };
}

/**
 * The one warm browser runtime shared by every browser run, created on first use. The runtime
 * replaces a dead browser itself; the pool only forgets a runtime that failed to start, so the
 * next run tries again (after Chromium was installed, say) instead of failing on a cached error.
 */
export class BrowserPool {
  #runtime: Promise<BrowserRuntime> | undefined;

  constructor(private readonly launch: BrowserLauncher) {}

  get launched(): boolean {
    return this.#runtime !== undefined;
  }

  async openSession(o: OpenSessionOptions): Promise<BrowserSession> {
    if (!this.#runtime) {
      const starting = this.launch();
      this.#runtime = starting;
      starting.catch(() => {
        if (this.#runtime === starting) this.#runtime = undefined;
      });
    }
    let runtime: BrowserRuntime;
    try {
      runtime = await this.#runtime;
    } catch (err) {
      throw new BrowserCrashError(`browser failed to start: ${messageOf(err)}`, typeOf(err), { cause: err });
    }
    try {
      return await runtime.openSession(o);
    } catch (err) {
      if (o.signal.aborted) throw err;
      throw new BrowserCrashError(`browser session failed to open: ${messageOf(err)}`, typeOf(err), {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    const runtime = this.#runtime;
    this.#runtime = undefined;
    await (await runtime?.catch(() => undefined))?.close().catch(() => {});
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Keeps a setup problem (Chromium missing) distinguishable from a crash. */
function typeOf(err: unknown): string {
  const t = (err as { type?: unknown } | undefined)?.type;
  return t === 'browser-setup' ? t : 'browser-crash';
}
