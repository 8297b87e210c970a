/**
 * Login under load: each VU logs in, reads its session back, and logs out, with a short think
 * time. `k6 run -e BASE_URL=… -e PROFILE=smoke scenarios/login.ts`, or `firedrill load login`.
 */

import { sleep } from 'k6';
import http from 'k6/http';
import { login } from './lib/auth.ts';
import { baseUrl, profileFromEnv } from './lib/env.ts';
import { loadOptions } from './lib/profiles.ts';
import { checkResponse, type StepRef, stepParams } from './lib/request.ts';

export const options = loadOptions(['login'], profileFromEnv('smoke'));

export function loginFlow(): void {
  const token = login('login');
  if (token) {
    const me: StepRef = { flow: 'login', step: 'me', route: '/api/me', token };
    const meReq = stepParams(me);
    checkResponse(http.get(`${baseUrl()}/api/me`, meReq.params), me, meReq.id, 200);
    // Logging out keeps sessions from piling up in the app's database over a long soak.
    const out: StepRef = { flow: 'login', step: 'logout', route: '/api/logout', token };
    const outReq = stepParams(out);
    checkResponse(http.post(`${baseUrl()}/api/logout`, null, outReq.params), out, outReq.id, 204);
  }
  sleep(0.5);
}

export default loginFlow;
