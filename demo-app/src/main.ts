/**
 * Process entry: `node --import tsx demo-app/src/main.ts`, configured by `DEMO_*` env vars
 * (see options.ts). Logs `msg: "listening"` with `url` once it accepts connections.
 */
import { createApp } from './app.ts';
import { optionsFromEnv } from './options.ts';

// A second signal, or a close that never finishes, must still end the process.
const FORCE_EXIT_AFTER_MS = 10_000;

async function main(): Promise<void> {
  const demo = await createApp(optionsFromEnv(process.env));
  const url = await demo.listen();
  demo.logger.info({ event: 'listening', url }, 'listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      demo.logger.warn({ event: 'shutdown_forced', signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    demo.logger.info({ event: 'shutdown', signal }, 'shutting down');
    setTimeout(() => process.exit(1), FORCE_EXIT_AFTER_MS).unref();
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad options), so this one line is written by hand, in the same shape.
  const error = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(
    `${JSON.stringify({
      level: 'fatal',
      time: new Date().toISOString(),
      msg: 'startup failed',
      service: process.env.DEMO_SERVICE || 'demo-app',
      environment: process.env.DEMO_ENV || 'local',
      source: 'backend',
      err: { type: error.name, message: error.message, stack: error.stack },
    })}\n`,
  );
  process.exit(1);
});
