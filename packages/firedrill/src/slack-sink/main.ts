import pino from 'pino';
import type { RateLimitConfig } from './rate-limit.ts';
import { startSlackSink } from './server.ts';

/**
 * The sink as a process, for the local stack:
 *   SINK_HOST (127.0.0.1), SINK_PORT (0 = free port), SINK_DATA_FILE (JSON lines, optional),
 *   SINK_CHANNELS (comma-separated names to create up front, optional),
 *   SINK_TOKENS (comma-separated accepted tokens, optional: any token when unset),
 *   SINK_RATE_LIMIT (JSON, e.g. {"conversations.history":{"perMinute":50}}, optional).
 * Logs JSON lines on stdout; the `listening` line carries the URL for whoever started it.
 */

const logger = pino({
  base: { service: 'firedrill-slack-sink' },
  level: process.env.SINK_LOG_LEVEL ?? 'info',
});

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.SINK_PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SINK_PORT: expected a port number, got ${JSON.stringify(env.SINK_PORT)}`);
  }
  let rateLimit: RateLimitConfig | undefined;
  if (env.SINK_RATE_LIMIT) {
    try {
      rateLimit = JSON.parse(env.SINK_RATE_LIMIT) as RateLimitConfig;
    } catch {
      throw new Error(`SINK_RATE_LIMIT: expected JSON, got ${JSON.stringify(env.SINK_RATE_LIMIT)}`);
    }
  }
  const channels = list(env.SINK_CHANNELS);
  const tokens = list(env.SINK_TOKENS);
  const sink = await startSlackSink({
    host: env.SINK_HOST || '127.0.0.1',
    port,
    logger,
    ...(env.SINK_DATA_FILE ? { dataFile: env.SINK_DATA_FILE } : {}),
    // Channels named up front must not stop others from appearing on their first webhook.
    ...(channels ? { channels, autoCreateChannels: true } : {}),
    ...(tokens ? { tokens } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  });
  logger.info({ url: sink.url, dataFile: env.SINK_DATA_FILE || undefined }, 'listening');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'closing');
    sink.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'slack sink failed to start');
  process.exit(1);
});
