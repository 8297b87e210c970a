import type { Logger } from 'pino';
import type { BrowserContext, Page } from 'playwright';
import type { Artifact } from '../core/result.ts';
import { BrowserCrashError } from './outcome.ts';

/** The browser runtime's contract (`src/probes/browser/`), as far as the runner relies on it. */
export interface BrowserSessionLike {
  context: BrowserContext;
  page: Page;
  finish(o: {
    failed: boolean;
  }): Promise<{ artifacts: Artifact[]; metrics: Record<string, number>; errors: string[] }>;
}

export interface BrowserRuntimeLike {
  openSession(o: { runId: string; artifactsDir: string; signal: AbortSignal }): Promise<BrowserSessionLike>;
  close(): Promise<void>;
}

export type BrowserLauncher = () => Promise<BrowserRuntimeLike>;

export interface BrowserLaunchOptions {
  executablePath?: string | undefined;
  headless?: boolean | undefined;
  logger: Logger;
}

/**
 * Launches through the browser runtime module, imported only here and only when a browser probe
 * actually runs: an http-only run never loads Playwright, let alone starts Chromium.
 */
export function browserLauncher(opts: BrowserLaunchOptions): BrowserLauncher {
  return async () => {
    // A variable specifier keeps Playwright out of the module graph of http-only runs.
    const specifier = './browser/index.ts';
    const mod = (await import(specifier)) as {
      createBrowserRuntime(o: BrowserLaunchOptions): Promise<BrowserRuntimeLike>;
    };
    return mod.createBrowserRuntime(opts);
  };
}

/**
 * One warm browser shared by every browser run. A launch or session failure drops the runtime,
 * so the next run starts a fresh browser instead of failing forever on a dead one.
 */
export class BrowserPool {
  #runtime: Promise<BrowserRuntimeLike> | undefined;

  constructor(private readonly launch: BrowserLauncher) {}

  get launched(): boolean {
    return this.#runtime !== undefined;
  }

  /**
   * A session in the warm browser. When that browser has died since the last run, the first
   * attempt fails; it is replaced and tried once more, so a crash costs no run of its own.
   */
  async openSession(o: {
    runId: string;
    artifactsDir: string;
    signal: AbortSignal;
  }): Promise<BrowserSessionLike> {
    let lastError: unknown;
    for (let tries = 0; tries < 2 && !o.signal.aborted; tries++) {
      this.#runtime ??= this.launch();
      const runtime = this.#runtime;
      try {
        return await (await runtime).openSession(o);
      } catch (err) {
        lastError = err;
        await this.#drop(runtime);
      }
    }
    if (o.signal.aborted) throw o.signal.reason;
    const message = (lastError as Error | undefined)?.message ?? String(lastError);
    throw new BrowserCrashError(`browser session failed to open: ${message}`, { cause: lastError });
  }

  /** Call when a run's page or browser crashed: the next run gets a new browser. */
  async discard(): Promise<void> {
    if (this.#runtime) await this.#drop(this.#runtime);
  }

  async close(): Promise<void> {
    await this.discard();
  }

  async #drop(runtime: Promise<BrowserRuntimeLike>): Promise<void> {
    if (this.#runtime === runtime) this.#runtime = undefined;
    try {
      await (await runtime).close();
    } catch {
      // Already dead; nothing left to release.
    }
  }
}
