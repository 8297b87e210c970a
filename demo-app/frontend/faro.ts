import type { FrontendConfig } from './config.ts';
import { logger, serializeError, sessionId } from './logger.ts';

/**
 * Grafana Faro (web vitals, errors, sessions) only when a collector URL is configured. Loaded with
 * a dynamic import so pages without a collector never download it.
 */
export async function startFaro(config: FrontendConfig): Promise<void> {
  if (!config.faroUrl) return;
  try {
    const { initializeFaro, getWebInstrumentations } = await import('@grafana/faro-web-sdk');
    initializeFaro({
      url: config.faroUrl,
      app: { name: config.service, environment: config.environment },
      // Console capture would send every pino line twice; pino ships those itself.
      instrumentations: [...getWebInstrumentations({ captureConsole: false })],
      // Lets a Faro session be joined with the pino logs of the same tab.
      sessionTracking: { session: { attributes: { log_session_id: sessionId } } },
    });
    logger.info({ event: 'faro_started', faro_url: config.faroUrl }, 'faro started');
  } catch (err) {
    logger.warn({ event: 'faro_failed', err: serializeError(err) }, 'faro failed to start');
  }
}
