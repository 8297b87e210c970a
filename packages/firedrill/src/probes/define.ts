import type { Logger } from 'pino';
import type { BrowserContext, Page } from 'playwright';
import type { EnvironmentConfig } from '../config/schema.ts';
import type { HttpClient } from './http/types.ts';

export type ProbeKind = 'browser' | 'http';

/** An environment ready to probe: `baseUrl` (and the stack's `pushgateway`) resolved. */
export type ResolvedEnvironment = EnvironmentConfig & { name: string; baseUrl: string };

/** What a probe's `run` receives. One fresh instance per run. */
export interface ProbeContextBase {
  /** The target environment, with `baseUrl` resolved (the local stack's demo app for `stack: true`). */
  env: ResolvedEnvironment;
  /** Unique per run (retries keep it); part of every `X-Request-ID` the run sends. */
  runId: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** firedrill's logger with `component: 'probe'`, the probe `id` and `runId` bound. */
  log: Logger;
  /** Aborted when the run's timeout passes or the scheduler shuts down. */
  signal: AbortSignal;
  /**
   * Marks a named step: its timing, status and error are recorded in the result.
   * A throwing step fails the run (later steps don't run).
   * @example await step('submit login', async () => { await page.click('[data-testid=login-submit]'); });
   */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Extra numbers for the result's `metrics` (e.g. a business value the probe read). */
  recordMetric(name: string, value: number): void;
  /** New request id for this run (`<runId>-<n>`), recorded on the current step. */
  requestId(): string;
  /** HTTP client that times every phase and stamps `X-Request-ID`; available for both kinds. */
  http: HttpClient;
}

export interface BrowserProbeContext extends ProbeContextBase {
  /** A page in a fresh browser context (isolated cookies/storage) of one warm browser. */
  page: Page;
  context: BrowserContext;
}

export type HttpProbeContext = ProbeContextBase;

interface ProbeCommon {
  /**
   * Stable id: metric label `probe`, result id, file-independent. Lowercase, digits, dashes.
   * @example 'api-items'
   */
  id: string;
  /** Human name for reports. @defaultValue the id */
  name?: string;
  /**
   * Cron expression (node-cron syntax, optional leading seconds field) for `firedrill schedule`;
   * a probe without one runs only on demand (`firedrill probe`).
   * @example '*\/5 * * * *'
   */
  schedule?: string;
  /** Whole-run timeout in ms; the run ends as an error when it passes. @defaultValue 30000 */
  timeoutMs?: number;
  /** Extra attempts after a failure; a pass after a retry is reported as flaky. @defaultValue 0 */
  retries?: number;
  /** Free labels for `firedrill probe --tag`. @example ['smoke', 'api'] */
  tags?: string[];
  /** Environments this probe runs against. @defaultValue every environment */
  environments?: string[];
}

export interface BrowserProbeDefinition extends ProbeCommon {
  /** Runs with a fresh page in the one warm Chromium, plus the HTTP client. */
  kind: 'browser';
  /** The flow. Throwing (or a failed step) fails the run; see `ProbeContextBase.step`. */
  run(ctx: BrowserProbeContext): Promise<void>;
}

export interface HttpProbeDefinition extends ProbeCommon {
  /** Runs with the HTTP client only; never starts a browser. */
  kind: 'http';
  /**
   * The flow. Throwing (or a failed step) fails the run; see `ProbeContextBase.step`.
   * @example async run({ step, http }) { await step('health', () => http.get('/healthz', { expect: { status: 200 } })); }
   */
  run(ctx: HttpProbeContext): Promise<void>;
}

export type ProbeDefinition = BrowserProbeDefinition | HttpProbeDefinition;

/** Declares a probe. A probe file's default export; the loader collects them, nothing registers itself. */
export function defineProbe<T extends ProbeDefinition>(def: T): T {
  return def;
}

/** `timeoutMs` when a probe sets none. */
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;

export { AssertionError, type ResponseExpectations } from './http/assertions.ts';
export {
  above,
  absent,
  atLeast,
  atMost,
  below,
  exists,
  hasLength,
  isType,
  matches,
  nonEmpty,
  oneOf,
} from './http/matchers.ts';
export type { HttpClient, HttpResponse } from './http/types.ts';
