import type { Logger } from 'pino';
import { WebhookReceiver } from '../clients/webhook-receiver.ts';
import type { Result } from '../core/result.ts';
import type { DrillEventListener } from '../core/timeline.ts';
import type { DrillEnvironment } from './environment.ts';
import type { DrillPlan } from './plan.ts';
import { runDrill } from './runner.ts';

export interface RunDrillsOptions {
  drills: DrillPlan[];
  env: DrillEnvironment;
  stateDir: string;
  root: string;
  logger: Logger;
  onEvent?: DrillEventListener;
  onDrillBegin?: (drill: DrillPlan, start: number) => void;
  onResult?: (result: Result) => void | Promise<void>;
  signal?: AbortSignal;
  yesProduction?: boolean;
  restartStack?: (components: string[]) => Promise<void>;
  /** Preflight only, nothing injected (`drill --dry-run`). */
  dryRun?: boolean;
}

/**
 * Runs drills one after another (two drills on one app would see each other's faults) with one
 * push receiver for all of them. After an interruption the remaining drills are reported as skipped.
 */
export async function runDrills(opts: RunDrillsOptions): Promise<Result[]> {
  const log = opts.logger.child({ component: 'drills' });
  let webhook: WebhookReceiver | undefined;
  if (opts.env.webhookUrl) {
    webhook = await WebhookReceiver.listen(opts.env.webhookUrl);
    if (!webhook)
      log.warn(
        { url: opts.env.webhookUrl },
        'webhook port busy (another firedrill run?): polling instead of push',
      );
  }
  const results: Result[] = [];
  try {
    for (const drill of opts.drills) {
      const start = Date.now();
      if (opts.signal?.aborted) {
        const skipped: Result = {
          id: drill.id,
          name: drill.name,
          kind: 'drill',
          status: 'skipped',
          runId: '',
          start,
          durationMs: 0,
          environment: opts.env.name,
          steps: [],
          artifacts: [],
          error: { message: 'not run: the drill run was interrupted', type: 'interrupted' },
        };
        results.push(skipped);
        await opts.onResult?.(skipped);
        continue;
      }
      opts.onDrillBegin?.(drill, start);
      const result = await runDrill({
        drill,
        env: opts.env,
        stateDir: opts.stateDir,
        root: opts.root,
        logger: opts.logger,
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        ...(webhook ? { webhook } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.yesProduction ? { yesProduction: true } : {}),
        ...(opts.restartStack ? { restartStack: opts.restartStack } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
      });
      results.push(result);
      await opts.onResult?.(result);
    }
  } finally {
    await webhook?.close();
  }
  return results;
}

/**
 * Runs `fn` with SIGINT and SIGTERM turned into an abort of its signal, so a Ctrl-C or a CI
 * cancel rolls the fault back before the process ends. A second signal while rolling back is
 * ignored with a note: stopping the rollback is what must never happen. Returns which signal
 * arrived, for the exit code (128 + signal number).
 */
export async function withSignalRollback<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<{ value: T; signal?: NodeJS.Signals }> {
  const ctl = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (received) {
      warn(`firedrill: ${sig} again: still rolling back, please wait`);
      return;
    }
    received = sig;
    warn(`firedrill: ${sig}: rolling back the fault, then exiting`);
    ctl.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    const value = await fn(ctl.signal);
    return received ? { value, signal: received } : { value };
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
