import type { Logger } from 'pino';
import type { HttpClientOptions } from '../clients/http-types.ts';
import type { Connection } from '../connections/schema.ts';
import { SetupError } from '../core/errors.ts';
import { EXIT } from '../core/exit.ts';
import type { MetricsReporter } from '../reporters/metrics.ts';

/**
 * The Pushgateway `--push` will use, checked before anything runs: refused credentials or a
 * certificate are a setup error found up front, not after a ten-minute drill.
 */
export async function pushTarget(
  env: { name: string; pushgateway?: Connection | undefined },
  root: string,
): Promise<HttpClientOptions> {
  if (!env.pushgateway) {
    throw new SetupError(
      `--push needs a Pushgateway: set environments.${env.name}.pushgateway, or use a stack environment with the pushgateway running`,
    );
  }
  const { backendTarget } = await import('../connections/backends.ts');
  const gateway = backendTarget('pushgateway', env.pushgateway, { environment: env.name, root });
  const { requestText } = await import('../clients/http-types.ts');
  await requestText(gateway, '/api/v1/status').catch((err: unknown) => {
    if (err instanceof SetupError) throw err;
    throw new SetupError(
      `--push: Pushgateway at ${gateway.baseUrl} does not answer: ${(err as Error).message}`,
    );
  });
  return gateway;
}

/** Pushes and folds the outcome into the exit code: metrics that never arrived fail the gate. */
export async function pushAndExit(
  reporter: MetricsReporter,
  gateway: HttpClientOptions,
  exitCode: number,
  logger: Logger,
): Promise<number> {
  try {
    const targets = await reporter.push({ gateway });
    logger.info({ groups: targets.length, gateway: gateway.baseUrl }, 'metrics pushed');
    return exitCode;
  } catch (err) {
    process.stderr.write(`firedrill: ${(err as Error).message}\n`);
    // Refused credentials outrank a failed probe: the gate's own wiring is broken.
    return exitCode === EXIT.ok || err instanceof SetupError ? EXIT.setup : exitCode;
  }
}
