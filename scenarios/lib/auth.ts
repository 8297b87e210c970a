import http from 'k6/http';
import { baseUrl, credentials, type Flow } from './env.ts';
import { checkResponse, type StepRef, stepParams } from './request.ts';

/** `POST /api/login`; the bearer token, or undefined when the login failed (the check says why). */
export function login(flow: Flow): string | undefined {
  const ref: StepRef = { flow, step: 'login', route: '/api/login' };
  const { id, params } = stepParams(ref, { headers: { 'Content-Type': 'application/json' } });
  const res = http.post(`${baseUrl()}/api/login`, JSON.stringify(credentials()), params);
  const ok = checkResponse(res, ref, id, 200, {
    'login: returns a token': (r) => typeof tokenOf(r.body) === 'string',
  });
  return ok ? tokenOf(res.body) : undefined;
}

function tokenOf(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const token = (JSON.parse(body) as { token?: unknown }).token;
    return typeof token === 'string' && token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}

const tokens: Partial<Record<Flow, string>> = {};

/**
 * One login per VU and flow, kept for the VU's life: the API and image flows measure the API,
 * not scrypt. A 401 later drops the token so the next iteration logs in again.
 */
export function sessionToken(flow: Flow): string | undefined {
  if (tokens[flow] === undefined) tokens[flow] = login(flow);
  return tokens[flow];
}

export function dropSessionToken(flow: Flow): void {
  delete tokens[flow];
}
