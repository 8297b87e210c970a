import type { Logger } from 'pino';
import type { Browser } from 'playwright';
import {
  BrowserSetupError,
  findBrowserPid,
  type LaunchedBrowser,
  launchChromium,
  resolveExecutable,
} from './chromium.ts';
import { type BrowserSession, type OpenSessionOptions, openBrowserSession } from './session.ts';

export type { BrowserSession, FinishResult, OpenSessionOptions } from './session.ts';

export interface BrowserRuntimeOptions {
  /** Chromium binary. @defaultValue `$FIREDRILL_CHROMIUM`, else `/usr/bin/chromium` */
  executablePath?: string;
  /** @defaultValue true */
  headless?: boolean;
  logger: Logger;
  /**
   * `on-failure` records a Playwright trace in every context and keeps it only when the run
   * fails (actions with their call logs, network, console); `off` records none.
   * @defaultValue 'on-failure'
   */
  trace?: 'on-failure' | 'off';
  /**
   * DOM snapshots before and after each action, for the trace viewer's DOM view. Off by default:
   * on the login flow they cost about +14 % wall time per run (bench/browser-probe), and the
   * failure screenshot already shows the page as it failed.
   * @defaultValue false
   */
  traceSnapshots?: boolean;
  /** Screencast frames in the trace, the costliest part (about +20 % with snapshots). @defaultValue false */
  traceScreenshots?: boolean;
  /** Faro collector URL prefix; without it Faro-shaped POST bodies are recognised anywhere. */
  faroUrl?: string;
  /** @defaultValue 'absorb' */
  faro?: 'absorb' | 'forward';
  /** Playwright's default timeout for actions and navigations, so a stuck wait says what it waited for. @defaultValue 15000 */
  actionTimeoutMs?: number;
  /** Values blanked out of every kept artifact, in addition to each session's own `secrets`. */
  secrets?: readonly string[];
  /** Longest wait for a browser launch or a new context before the browser is replaced. @defaultValue 30000 */
  launchTimeoutMs?: number;
}

export interface BrowserRuntime {
  /** A fresh context and page for one run, on the warm browser (relaunched first if it died). */
  openSession(o: OpenSessionOptions): Promise<BrowserSession>;
  /** Closes the browser. Sessions still open end as crashed. Idempotent. */
  close(): Promise<void>;
  /** The browser process id, when one is running and /proc can show it. */
  browserPid(): Promise<number | undefined>;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
  readonly type = 'timeout';
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number, what: string): Promise<T> {
  let cleanup = () => {};
  const stop = new Promise<never>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(
      () => reject(new TimeoutError(`${what} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
  });
  return Promise.race([work, stop]).finally(cleanup);
}

/**
 * One warm Chromium shared by every run, with a fresh context per run. The scheduler must
 * outlive anything a probe does, so a browser that died (crash, OOM kill) or stopped answering
 * is replaced on the next `openSession` instead of failing every later run.
 */
export async function createBrowserRuntime(opts: BrowserRuntimeOptions): Promise<BrowserRuntime> {
  const log = opts.logger.child({ component: 'browser-runtime' });
  const executable = await resolveExecutable(opts.executablePath);
  const headless = opts.headless ?? true;
  const launchTimeoutMs = opts.launchTimeoutMs ?? 30_000;
  let current: Promise<LaunchedBrowser> | undefined;
  let closed = false;
  let launches = 0;

  const kill = async (launched: LaunchedBrowser) => {
    const pid = await findBrowserPid(launched.marker);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await launched.browser.close().catch(() => {});
  };

  const launch = (): Promise<LaunchedBrowser> => {
    const attempt = launchChromium(executable.path, headless).then((launched) => {
      launches++;
      log.info(
        { executablePath: executable.path, launches },
        launches === 1 ? 'browser launched' : 'browser relaunched',
      );
      launched.browser.on('disconnected', () => {
        if (current === attempt) current = undefined;
        if (!closed) log.warn('browser disconnected; the next run relaunches it');
      });
      return launched;
    });
    current = attempt;
    // A failed launch must not be cached: the next run tries again.
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  };

  const connected = async (signal: AbortSignal): Promise<LaunchedBrowser> => {
    if (closed) throw new Error('browser runtime is closed');
    const pending = current ?? launch();
    const launched = await raceAbort(pending, signal, launchTimeoutMs, 'launching Chromium');
    if (launched.browser.isConnected()) return launched;
    if (current === pending) current = undefined;
    return raceAbort(current ?? launch(), signal, launchTimeoutMs, 'relaunching Chromium');
  };

  const replace = (launched: LaunchedBrowser) => {
    const pending = current;
    void pending?.then(
      (c) => {
        if (c === launched && current === pending) current = undefined;
      },
      () => {},
    );
    void kill(launched);
  };

  const openSession = async (o: OpenSessionOptions): Promise<BrowserSession> => {
    o.signal.throwIfAborted();
    // Two tries: the browser can die between the liveness check and newContext.
    for (let attempt = 1; ; attempt++) {
      const launched = await connected(o.signal);
      const browser: Browser = launched.browser;
      const opening = openBrowserSession(browser, o, {
        trace: opts.trace ?? 'on-failure',
        traceSnapshots: opts.traceSnapshots ?? false,
        traceScreenshots: opts.traceScreenshots ?? false,
        faro: opts.faro ?? 'absorb',
        actionTimeoutMs: opts.actionTimeoutMs ?? 15_000,
        secrets: opts.secrets ?? [],
        ...(opts.faroUrl ? { faroUrl: opts.faroUrl } : {}),
        logger: log,
        onWedged: () => replace(launched),
      });
      try {
        return await raceAbort(opening, o.signal, launchTimeoutMs, 'opening a browser context');
      } catch (err) {
        // A context that opens after we gave up on it would leak for the browser's lifetime.
        void opening.then((late) => late.finish({ failed: false })).catch(() => {});
        if (err instanceof TimeoutError) replace(launched);
        if (attempt >= 2 || o.signal.aborted || (browser.isConnected() && !(err instanceof TimeoutError)))
          throw err;
        log.warn({ err: (err as Error).message }, 'opening a context failed on a dead browser; relaunching');
      }
    }
  };

  // Launched now, not on the first run: a Chromium that cannot start is a setup error the CLI
  // reports before any probe runs (exit 2), not a red probe.
  try {
    await launch();
  } catch (err) {
    throw new BrowserSetupError(
      `Chromium at ${executable.path} failed to start: ${(err as Error).message.split('\n')[0]}`,
    );
  }

  return {
    openSession,
    browserPid: async () => {
      const launched = await current?.catch(() => undefined);
      return launched?.browser.isConnected() ? findBrowserPid(launched.marker) : undefined;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const launched = await current?.catch(() => undefined);
      current = undefined;
      await launched?.browser.close().catch(() => {});
    },
  };
}
