import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright';
import type { Artifact } from '../../core/result.ts';
import { ConsoleRecorder } from './console-recorder.ts';
import { flushPage } from './page-flush.ts';
import { redactText, redactZip, TypedSecrets } from './redact.ts';
import { RequestRouter } from './request-routing.ts';
import { VITALS, VitalsCollector } from './web-vitals.ts';

export interface OpenSessionOptions {
  runId: string;
  /** Failure artifacts are written here (created on demand). */
  artifactsDir: string;
  /** Aborting closes the context, so whatever the probe awaits rejects promptly. */
  signal: AbortSignal;
  /** The app's base URL: its origin gets request ids from the first request on. */
  baseUrl?: string;
  /** Values to blank out of kept artifacts (trace, console log): passwords, tokens the probe used. */
  secrets?: readonly string[];
}

export interface SessionSettings {
  trace: 'on-failure' | 'off';
  traceSnapshots: boolean;
  traceScreenshots: boolean;
  faroUrl?: string;
  faro: 'absorb' | 'forward';
  /** Playwright's default wait for actions and navigations in this context. */
  actionTimeoutMs: number;
  secrets: readonly string[];
  logger: Logger;
  /** Called when the browser stops answering (context close hangs), so the runtime can replace it. */
  onWedged(): void;
}

export interface FinishResult {
  artifacts: Artifact[];
  /** `web_vital_{lcp,fcp,cls,inp,ttfb}` (ms; CLS unitless), plus `faro_*` when beacons were seen. */
  metrics: Record<string, number>;
  /** Frontend errors: uncaught page errors and Faro exceptions, each listed once. */
  errors: string[];
  /** Every `X-Request-ID` the run's pages sent, stamped by firedrill or set by the app itself. */
  requestIds: string[];
  /** The browser process died during the run. */
  crashed: boolean;
  /** The abort closed the context before `finish` was called (the probe was stuck). */
  aborted: boolean;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Request ids sent since the previous call: call at the end of each step to attribute them. */
  takeRequestIds(): string[];
  /** Collects results, keeps artifacts when `failed`, closes the context. Never throws; idempotent. */
  finish(o: { failed: boolean }): Promise<FinishResult>;
}

/** Budgets for work on a page that may be wedged: an artifact is worth a second, not a stuck scheduler. */
const SCREENSHOT_MS = 2000;
const ABORT_SCREENSHOT_MS = 1000;
const ABORT_BUDGET_MS = 3000;
const ABORT_GRACE_MS = 200;
const CLOSE_MS = 5000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export async function openBrowserSession(
  browser: Browser,
  o: OpenSessionOptions,
  s: SessionSettings,
): Promise<BrowserSession> {
  const log = s.logger.child({ runId: o.runId });
  const context = await browser.newContext();
  const router = new RequestRouter({
    runId: o.runId,
    appOrigins: o.baseUrl ? [o.baseUrl] : [],
    faro: s.faro,
    ...(s.faroUrl ? { faroUrl: s.faroUrl } : {}),
  });
  const vitals = new VitalsCollector();
  const recorder = new ConsoleRecorder();
  let page: Page;
  const typed = new TypedSecrets();
  const secrets = () => [...s.secrets, ...(o.secrets ?? []), ...typed.values()];
  try {
    context.setDefaultTimeout(s.actionTimeoutMs);
    recorder.install(context);
    router.install(context);
    // Independent protocol calls, sent together: each is a round trip to the browser.
    await Promise.all([
      vitals.install(context),
      typed.install(context),
      s.trace === 'on-failure'
        ? context.tracing.start({ screenshots: s.traceScreenshots, snapshots: s.traceSnapshots })
        : undefined,
    ]);
    page = await context.newPage();
    await router.attach(page);
  } catch (err) {
    await context.close().catch(() => {});
    throw err;
  }

  let closed = false;
  const closeContext = async () => {
    if (closed) return;
    closed = true;
    const done = await Promise.race([
      context.close().then(
        () => true,
        () => true,
      ),
      sleep(CLOSE_MS).then(() => false),
    ]);
    if (!done) {
      log.warn('browser context did not close in time; replacing the browser');
      s.onWedged();
    }
  };

  const artifactPath = (name: string) => join(o.artifactsDir, `${o.runId}-${name}`);
  /** `abort` skips the flushes: the page may be wedged, and it pushed its vitals as they happened. */
  const capture = async (failed: boolean, mode: 'finish' | 'abort'): Promise<Artifact[]> => {
    const artifacts: Artifact[] = [];
    if (failed) {
      await mkdir(o.artifactsDir, { recursive: true });
      const path = artifactPath('screenshot.png');
      try {
        // Playwright's screenshot waits for a pending navigation to commit, which a hung page
        // never does; the compositor's current frame over CDP is the fallback (or, once the
        // run was aborted, the only try).
        if (mode === 'abort') await screenshotNow(context, page, path);
        else
          await page
            .screenshot({ path, fullPage: true, timeout: SCREENSHOT_MS })
            .catch(() => screenshotNow(context, page, path));
        artifacts.push({
          kind: 'screenshot',
          path,
          contentType: 'image/png',
          description: `at ${page.url()}`,
        });
      } catch (err) {
        recorder.note(`screenshot failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    if (mode === 'finish') {
      await flushPage(page, router);
    }
    if (s.trace === 'on-failure') {
      const path = artifactPath('trace.zip');
      try {
        await Promise.race([
          failed ? context.tracing.stop({ path }) : context.tracing.stop(),
          sleep(CLOSE_MS).then(() => Promise.reject(new Error('timed out'))),
        ]);
        if (failed) {
          const redacted = await redactZip(path, secrets());
          if (redacted > 0) recorder.note(`${redacted} secret occurrences redacted from the trace`);
          artifacts.push({
            kind: 'trace',
            path,
            contentType: 'application/zip',
            description: 'npx playwright show-trace',
          });
        }
      } catch (err) {
        recorder.note(`trace not saved: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return artifacts;
  };

  /**
   * A runner may abort the signal as routine cleanup right before calling `finish`, so the abort
   * path waits a moment for `finish` to take over (it knows whether the run failed). Only when
   * no `finish` comes, the probe is stuck: capture what is there and close the context, which
   * makes whatever the probe awaits reject at once.
   */
  let abortWork: Promise<Artifact[]> | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    recorder.note(`run aborted (${String(o.signal.reason ?? 'aborted')})`);
    graceTimer = setTimeout(() => {
      recorder.note('no finish after the abort; closing the context');
      abortWork ??= (async () => {
        try {
          if (!browser.isConnected()) return [];
          // Whatever else hangs on a wedged page, the context closes within this budget.
          const kept: Artifact[] = [];
          const work = capture(true, 'abort').then((a) => kept.push(...a));
          await Promise.race([work, sleep(ABORT_BUDGET_MS)]);
          return kept;
        } finally {
          await closeContext();
        }
      })();
    }, ABORT_GRACE_MS);
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort();

  let finishing: Promise<FinishResult> | undefined;
  const finish = async (f: { failed: boolean }): Promise<FinishResult> => {
    o.signal.removeEventListener('abort', onAbort);
    clearTimeout(graceTimer);
    const aborted = abortWork !== undefined;
    const crashed = !browser.isConnected();
    let artifacts: Artifact[] = [];
    try {
      if (abortWork) artifacts = await abortWork;
      else if (!crashed) artifacts = await capture(f.failed, 'finish');
    } catch (err) {
      recorder.note(`artifact capture failed: ${(err as Error).message}`);
    }
    await closeContext();
    if (crashed) recorder.note('the browser disconnected during the run (crashed or killed)');
    if (f.failed || aborted || crashed) {
      const path = artifactPath('console.log');
      try {
        await mkdir(o.artifactsDir, { recursive: true });
        await writeFile(path, redactText(recorder.text(), secrets()));
        artifacts.push({
          kind: 'console',
          path,
          contentType: 'text/plain',
          description: 'console, page errors, failed requests',
        });
      } catch (err) {
        log.warn({ err }, 'could not write the console artifact');
      }
    }
    return {
      artifacts,
      metrics: metricsOf(vitals, router),
      errors: [...new Set([...recorder.pageErrors, ...router.faro.errors])],
      requestIds: router.requestIds.map((r) => r.id),
      crashed,
      aborted,
    };
  };

  return {
    context,
    page,
    takeRequestIds: () => router.takeRequestIds(),
    finish: (f) => {
      finishing ??= finish(f);
      return finishing;
    },
  };
}

async function screenshotNow(context: BrowserContext, page: Page, path: string): Promise<void> {
  const cdp = await Promise.race([
    context.newCDPSession(page),
    sleep(ABORT_SCREENSHOT_MS).then(() => Promise.reject(new Error('timed out'))),
  ]);
  try {
    const shot = cdp.send('Page.captureScreenshot', { format: 'png' });
    const timeout = sleep(ABORT_SCREENSHOT_MS).then(() => Promise.reject(new Error('timed out')));
    const { data } = await Promise.race([shot, timeout]);
    await writeFile(path, Buffer.from(data, 'base64'));
  } finally {
    // Detaching waits on the pending navigation too; closing the context detaches it anyway.
    void cdp.detach().catch(() => {});
  }
}

function metricsOf(vitals: VitalsCollector, router: RequestRouter): Record<string, number> {
  const own = vitals.summary();
  const metrics: Record<string, number> = {};
  const round = (v: number) => Math.round(v * 1000) / 1000;
  for (const name of VITALS) {
    // The page's own observers come first: they exist on every page; Faro only where the app has it.
    const value = own[name] ?? router.faro.vitals[name];
    if (value !== undefined) metrics[`web_vital_${name}`] = round(value);
    const faro = router.faro.vitals[name];
    if (faro !== undefined) metrics[`faro_web_vital_${name}`] = round(faro);
  }
  if (router.faro.beacons > 0) metrics.faro_beacons = router.faro.beacons;
  return metrics;
}
