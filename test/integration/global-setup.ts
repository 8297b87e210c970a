import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../packages/firedrill/src/config/load.ts';
import { createLogger } from '../../packages/firedrill/src/logger.ts';
import { stackDown, stackUp } from '../../packages/firedrill/src/stack/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute state dir of the stack the integration tests share. */
    stackStateDir: string;
    /** Project root (where config/ lives). */
    projectRoot: string;
  }
}

/**
 * Starts the real local stack once for the whole integration run (2 cores: never one per file),
 * in its own state dir so a developer's `firedrill stack up` is left alone.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const loaded = await loadConfig('config/firedrill.config.ts');
  const config = { ...loaded.config, stateDir: '.firedrill/test-stack' };
  const logger = createLogger({ level: process.env.FIREDRILL_LOG_LEVEL ?? 'warn', pretty: false });
  const started = Date.now();
  await stackUp({ config, root: loaded.root, logger });
  process.stderr.write(`[global-setup] local stack up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  project.provide('stackStateDir', path.resolve(loaded.root, config.stateDir));
  project.provide('projectRoot', loaded.root);
  return async () => {
    // Keeping the stack between runs makes iterating on one test fast; CI never sets this.
    if (process.env.FIREDRILL_KEEP_STACK === '1') return;
    await stackDown({ config, root: loaded.root, logger });
  };
}
