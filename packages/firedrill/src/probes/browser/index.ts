/** The browser runtime's public surface; the runner imports this module lazily, so http-only runs never load Playwright. */

export { ProbeAssertionError } from './assertions.ts';
export { BrowserSetupError, CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from './chromium.ts';
export type { RequestIdRecord } from './request-routing.ts';
export {
  type BrowserRuntime,
  type BrowserRuntimeOptions,
  type BrowserSession,
  createBrowserRuntime,
  type FinishResult,
  type OpenSessionOptions,
} from './runtime.ts';
