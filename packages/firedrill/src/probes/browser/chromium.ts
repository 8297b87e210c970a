import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright';
import { SetupError } from '../../core/errors.ts';

/** Where the default Chromium lives on Debian/Ubuntu (`apt-get install -y chromium`). */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * `--no-sandbox` because probes run as root in containers, where Chromium refuses its sandbox.
 * The rest keep Chromium from phoning home: on a closed network it retries those requests
 * forever, costing CPU in every probe and noise in the app's logs.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
] as const;

export class BrowserSetupError extends SetupError {
  override name = 'BrowserSetupError';
  override readonly type = 'browser-setup';
}

export interface ResolvedExecutable {
  path: string;
  /** Which setting the path came from, for the error message when it is wrong. */
  source: 'option' | 'FIREDRILL_CHROMIUM' | 'default';
}

export function chooseExecutable(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedExecutable {
  if (option) return { path: option, source: 'option' };
  if (env.FIREDRILL_CHROMIUM) return { path: env.FIREDRILL_CHROMIUM, source: 'FIREDRILL_CHROMIUM' };
  return { path: DEFAULT_CHROMIUM_PATH, source: 'default' };
}

const SOURCE_TEXT: Record<ResolvedExecutable['source'], string> = {
  option: 'from the executablePath option',
  FIREDRILL_CHROMIUM: 'from $FIREDRILL_CHROMIUM',
  default: 'the default; set $FIREDRILL_CHROMIUM or executablePath to use another',
};

export function missingChromiumMessage(chosen: ResolvedExecutable): string {
  return `Chromium not found at ${chosen.path} (${SOURCE_TEXT[chosen.source]}). Install it with \`apt-get install -y chromium\`.`;
}

/** Checks the binary up front: Playwright's own error for a missing path suggests a download that cannot work here. */
export async function resolveExecutable(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedExecutable> {
  const chosen = chooseExecutable(option, env);
  try {
    await access(chosen.path, constants.X_OK);
  } catch {
    throw new BrowserSetupError(missingChromiumMessage(chosen));
  }
  return chosen;
}

export interface LaunchedBrowser {
  browser: Browser;
  /** Marks this launch's browser process among others on the machine (tests, benchmarks run several). */
  marker: string;
}

export async function launchChromium(executablePath: string, headless: boolean): Promise<LaunchedBrowser> {
  // Playwright's `launch` hides the child's pid; an inert switch lets us find the process in
  // /proc to kill a wedged browser and to measure its memory. Chromium ignores unknown switches.
  const marker = `--firedrill-runtime=${randomUUID()}`;
  const browser = await chromium.launch({ executablePath, headless, args: [...CHROMIUM_ARGS, marker] });
  return { browser, marker };
}

/** The browser (main) process carrying `marker`, or undefined when it is gone or /proc is absent. */
export async function findBrowserPid(marker: string): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
      // Helper processes (renderer, gpu, zygote) may inherit switches but always carry --type=.
      if (argv.includes(marker) && !argv.some((a) => a.startsWith('--type='))) return Number(name);
    } catch {
      // The process exited while we were scanning.
    }
  }
  return undefined;
}
