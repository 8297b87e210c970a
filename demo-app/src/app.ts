import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { AuthStore, SEED_USERS } from './auth.ts';
import { Db } from './db.ts';
import { HttpError, sendError } from './errors.ts';
import { applyDbFaults, applyRequestFaults, FaultRegistry } from './faults.ts';
import { buildFrontend } from './frontend-build.ts';
import { ImageService, MAX_UPLOAD_BYTES } from './images.ts';
import { createLogging } from './logging.ts';
import { createMetrics, type Metrics, UNMATCHED_ROUTE } from './metrics.ts';
import { type AppOptions, resolveOptions } from './options.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerFaultRoutes } from './routes/faults.ts';
import { registerImageRoutes } from './routes/images.ts';
import { registerItemRoutes } from './routes/items.ts';
import { registerLogRoutes } from './routes/logs.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerPageRoutes } from './routes/pages.ts';
import { type Finding, inspectBody, inspectUrl, REASON_MESSAGES } from './suspicious.ts';

export type { AppOptions } from './options.ts';

export interface DemoApp {
  app: FastifyInstance;
  /** Closes gracefully: releases hung requests, finishes in-flight ones, closes DB and log file. */
  close(): Promise<void>;
  /** Listens on the configured host and port; resolves to the base URL, e.g. `http://127.0.0.1:41234`. */
  listen(): Promise<string>;
  logger: Logger;
  metrics: Metrics;
}

// Request ids travel into log queries and Elasticsearch terms: keep them short and unexciting.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** The one access-log line per request, and the HTTP metrics, both by route template. */
function accessRecorder(metrics: Metrics) {
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const route = request.routeOptions?.url ?? UNMATCHED_ROUTE;
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    metrics.httpRequestsTotal.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    request.log.info(
      {
        event: 'http_request',
        method: request.method,
        route,
        path: request.url.split('?')[0],
        status_code: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        remote_address: request.ip,
        user_agent: request.headers['user-agent'],
      },
      'request completed',
    );
  };
}

export async function createApp(options: AppOptions = {}): Promise<DemoApp> {
  const opts = resolveOptions(options);
  const {
    logger,
    frontendLogger,
    close: closeLogs,
  } = createLogging({
    level: opts.logLevel,
    service: opts.service,
    environment: opts.environment,
    stdout: opts.logToStdout,
    file: opts.logFile,
  });
  const metrics = createMetrics();
  const recordAccess = accessRecorder(metrics);
  const ownedDataDir = opts.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'demo-app-'));
  const dataDir = opts.dataDir ?? ownedDataDir!;
  await mkdir(dataDir, { recursive: true });
  const db = new Db(opts.db, metrics.dbQueryDuration);
  const auth = new AuthStore(db);
  await auth.seed(SEED_USERS);
  const faults = new FaultRegistry(logger.child({ component: 'faults' }), metrics, (code) =>
    process.exit(code),
  );
  const images = new ImageService(db, dataDir, metrics, logger.child({ component: 'images' }), faults);
  const bundle = buildFrontend();
  // Built at start so the first browser probe does not pay for esbuild; a failure is served as a
  // 500 on the bundle URL and logged, never a dead app.
  await bundle.catch((err: unknown) =>
    logger.error({ event: 'frontend_build_failed', err }, 'frontend build failed'),
  );

  const app = Fastify({
    // Widened so that route modules take a plain FastifyInstance.
    loggerInstance: logger as FastifyBaseLogger,
    // Our own onResponse hook writes the one access-log line per request, in the agreed shape.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    requestIdHeader: false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    bodyLimit: MAX_JSON_BODY_BYTES,
    // Errors fastify raises before routing (a malformed URL) get the same JSON shape, and the
    // access-log line that the skipped onResponse hook would have written.
    frameworkErrors: (err, request, reply) => {
      reply.raw.once('finish', () => recordAccess(request, reply));
      sendError(err, request, reply);
    },
  });

  const knownRoutes = new Set<string>();
  app.addHook('onRoute', (route) => {
    knownRoutes.add(route.url);
  });

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler(async (request) => {
    throw new HttpError(404, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`);
  });

  const rejectSuspicious = (finding: Finding): never => {
    metrics.suspiciousRequests.inc({ reason: finding.reason });
    throw new HttpError(400, 'suspicious_request', REASON_MESSAGES[finding.reason], {
      event: 'suspicious_request',
      ...finding,
    });
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    const finding = inspectUrl(request.raw.url ?? request.url);
    if (finding) rejectSuspicious(finding);
  });
  app.addHook('onRequest', applyRequestFaults(faults));
  app.addHook('preHandler', async (request) => {
    const config = request.routeOptions.config as { inspectBody?: boolean };
    const finding =
      request.body !== undefined && config.inspectBody !== false ? inspectBody(request.body) : undefined;
    if (finding) rejectSuspicious(finding);
  });
  app.addHook('preHandler', applyDbFaults(faults));
  app.addHook('onResponse', async (request, reply) => recordAccess(request, reply));

  registerOpsRoutes(app, { db, faults, metrics });
  registerAuthRoutes(app, { auth, metrics, faults });
  registerItemRoutes(app, { db, auth });
  registerImageRoutes(app, { images, auth });
  registerLogRoutes(app, { auth, frontendLogger });
  registerPageRoutes(app, {
    auth,
    bundle: () => bundle,
    config: { service: opts.service, environment: opts.environment, faroUrl: opts.faroUrl ?? null },
  });
  if (opts.faultToken) registerFaultRoutes(app, faults, opts.faultToken, knownRoutes);

  await app.ready();
  images.resume();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      faults.shutdown();
      await app.close();
      await images.close();
      db.close();
      logger.info({ event: 'stopped' }, 'stopped');
      closeLogs();
      if (ownedDataDir) await rm(ownedDataDir, { recursive: true, force: true });
    })();
    return closing;
  };

  const listen = async () => app.listen({ host: opts.host, port: opts.port });

  return { app, close, listen, logger, metrics };
}
