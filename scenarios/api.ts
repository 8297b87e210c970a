/**
 * The JSON API under load: list, create, read, update and delete an item, as one logged-in
 * client per VU. Iterations arrive at a rate (ramping-arrival-rate), not per free VU.
 */
import http from 'k6/http';
import { dropSessionToken, sessionToken } from './lib/auth.ts';
import { baseUrl, profileFromEnv } from './lib/env.ts';
import { loadOptions } from './lib/profiles.ts';
import { checkResponse, type StepRef, stepParams } from './lib/request.ts';

export const options = loadOptions(['api'], profileFromEnv('smoke'));

const json = { 'Content-Type': 'application/json' };

function idOf(body: unknown): number | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

export function apiFlow(): void {
  const token = sessionToken('api');
  if (!token) return;
  const base = baseUrl();
  const at = (step: string, route: string): StepRef => ({ flow: 'api', step, route, token });

  const list = at('list', '/api/items');
  const listReq = stepParams(list);
  const listRes = http.get(`${base}/api/items`, listReq.params);
  checkResponse(listRes, list, listReq.id, 200);
  if (listRes.status === 401) {
    dropSessionToken('api');
    return;
  }

  const create = at('create', '/api/items');
  const createReq = stepParams(create, { headers: json });
  const body = JSON.stringify({ title: `load ${createReq.id}`, body: 'created by firedrill load' });
  const created = http.post(`${base}/api/items`, body, createReq.params);
  const id = idOf(created.body);
  checkResponse(created, create, createReq.id, 201, { 'create: returns an id': () => id !== undefined });
  if (id === undefined) return;

  const read = at('read', '/api/items/:id');
  const readReq = stepParams(read);
  checkResponse(http.get(`${base}/api/items/${id}`, readReq.params), read, readReq.id, 200);

  const update = at('update', '/api/items/:id');
  const updateReq = stepParams(update, { headers: json });
  const changed = JSON.stringify({ title: `load ${createReq.id} (edited)`, body: 'updated' });
  checkResponse(http.put(`${base}/api/items/${id}`, changed, updateReq.params), update, updateReq.id, 200);

  // Deleting what it created keeps the list (and so the list step's cost) flat over a soak.
  const remove = at('delete', '/api/items/:id');
  const removeReq = stepParams(remove);
  checkResponse(http.del(`${base}/api/items/${id}`, null, removeReq.params), remove, removeReq.id, 204);
}

export default apiFlow;
