/**
 * What a scenario reads from its environment. `firedrill load` passes these with `-e`; a bare
 * `k6 run` or a k6-operator runner sets them the same way, so a scenario file never needs firedrill.
 */

export const PROFILES = ['smoke', 'release', 'soak'] as const;
export type Profile = (typeof PROFILES)[number];

export const FLOWS = ['login', 'api', 'image-processing'] as const;
export type Flow = (typeof FLOWS)[number];

/** `PROFILE`: how long and how hard. An unknown name stops k6 before any request is sent. */
export function profileFromEnv(fallback: Profile): Profile {
  const raw = __ENV.PROFILE;
  if (raw === undefined || raw === '') return fallback;
  if ((PROFILES as readonly string[]).includes(raw)) return raw as Profile;
  throw new Error(`PROFILE=${JSON.stringify(raw)} is not a profile; use one of: ${PROFILES.join(', ')}`);
}

/**
 * `BASE_URL` of the app under test. Required rather than defaulted: a load test that silently
 * falls back to some localhost port measures the wrong thing.
 */
export function baseUrl(): string {
  const raw = __ENV.BASE_URL;
  if (!raw) throw new Error('BASE_URL is not set: run with -e BASE_URL=https://app.example.com');
  return raw.replace(/\/+$/, '');
}

/** `FIREDRILL_USERNAME` / `FIREDRILL_PASSWORD`; the reference app's public demo user otherwise. */
export function credentials(): { username: string; password: string } {
  return {
    username: __ENV.FIREDRILL_USERNAME || 'demo',
    password: __ENV.FIREDRILL_PASSWORD || 'demo-password',
  };
}

/** `FIREDRILL_RUN_ID`: prefixes every request id, so app logs can be matched back to this run. */
export function runId(): string {
  const raw = __ENV.FIREDRILL_RUN_ID;
  return raw && /^[A-Za-z0-9._:-]{1,64}$/.test(raw) ? raw : 'k6';
}
