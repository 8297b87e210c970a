import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type AuthStore,
  currentUser,
  requireUser,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  tokenFromRequest,
} from '../auth.ts';
import { HttpError, validationError } from '../errors.ts';
import type { FaultRegistry } from '../faults.ts';
import type { Metrics } from '../metrics.ts';

const requiredString = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`);

const LoginBody = z.object(
  { username: requiredString(100), password: requiredString(200) },
  { error: 'request body must be a JSON object' },
);

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'invalid username or password');

export function registerAuthRoutes(
  app: FastifyInstance,
  deps: { auth: AuthStore; metrics: Metrics; faults: FaultRegistry },
): void {
  const { auth, metrics, faults } = deps;

  app.post('/api/login', async (request, reply) => {
    const parsed = LoginBody.safeParse(request.body ?? {});
    if (!parsed.success) throw validationError(parsed.error);
    const { username, password } = parsed.data;

    const fault = faults.matching('login-failure')[0];
    const outcome = fault
      ? { reason: 'fault_injected' as const }
      : await auth.checkCredentials(username, password);
    if (!('user' in outcome)) {
      metrics.loginAttempts.inc({ result: 'failure' });
      request.log.warn(
        { event: 'login_failed', username, reason: outcome.reason, ...(fault ? { fault_id: fault.id } : {}) },
        'login failed',
      );
      throw invalidCredentials();
    }

    const { user } = outcome;
    const token = auth.createSession(user.id);
    request.log = request.log.child({ user_id: String(user.id) });
    metrics.loginAttempts.inc({ result: 'success' });
    request.log.info({ event: 'login_succeeded', username }, 'login succeeded');
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { user, token };
  });

  app.post('/api/logout', async (request, reply) => {
    const token = tokenFromRequest(request);
    if (token) auth.deleteSession(token);
    request.log.info({ event: 'logout' }, 'logout');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/me', { preHandler: requireUser(auth) }, async (request) => currentUser(request));
}
