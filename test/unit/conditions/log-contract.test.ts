import { describe, expect, it } from 'vitest';
import { contractFindings } from '../../../packages/firedrill/src/conditions/log-contract.ts';
import { loadLogSchema } from '../../../packages/firedrill/src/log-schemas/validate.ts';

// Two pino lines as the reference app writes them, one after `user_id` was renamed `userId`.
const entry = (extra: Record<string, unknown>) => ({
  time: '2026-12-03T12:00:00.000Z',
  level: 'info',
  msg: 'request completed',
  service: 'demo-app',
  environment: 'local',
  source: 'backend',
  event: 'http_request',
  route: '/api/items',
  method: 'GET',
  status_code: 200,
  duration_ms: 4.2,
  request_id: 'fd-1',
  ...extra,
});

describe("a drill's field contract beyond the schema", () => {
  const schema = loadLogSchema('backend');

  it('passes what the schema allows: the rename slips through it', () => {
    expect(schema.validate(entry({ userId: '7' }))).toBe(true);
  });

  it('requires a field where it must be, and names the unknown one it became', () => {
    const entries = [entry({ userId: '7' }), entry({ userId: '8' }), entry({ route: '/healthz' })];
    const found = contractFindings(entries, [{ when: { route: '/api/items' }, fields: ['user_id'] }], schema);
    expect(found.missing.map((m) => m.problem)).toEqual([
      '/user_id: required where route="/api/items", missing in 2 of 2 such entries',
    ]);
    expect(found.unknown.map((m) => m.problem)).toEqual([
      '/userId: not in schema backend (did you mean user_id?) in 2 of 3',
    ]);
  });

  it('finds nothing in entries that keep the contract', () => {
    const found = contractFindings(
      [entry({ user_id: '7' })],
      [{ when: { route: '/api/items' }, fields: ['user_id'] }],
      schema,
    );
    expect(found).toEqual({ missing: [], unknown: [] });
  });
});
