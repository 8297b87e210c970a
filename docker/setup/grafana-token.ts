/**
 * Prints a new Grafana service-account token for firedrill, and nothing else, on stdout:
 *
 *   export FIREDRILL_GRAFANA_TOKEN=$(docker compose run --rm grafana-token)
 *
 * Grafana makes tokens only through its API, never from provisioning files, hence a tool and not
 * a setting. The `firedrill` service account is created once (Editor: reads alert rules and can
 * test contact points for routing drills); each run adds a token.
 *
 * Env: GRAFANA_URL (http://grafana:3000), GRAFANA_ADMIN_USER (admin), GRAFANA_ADMIN_PASSWORD.
 */
import { pathToFileURL } from 'node:url';
import { basicAuth, requestJson, requiredEnv, retry } from './http.ts';

export const SERVICE_ACCOUNT = 'firedrill';

interface ServiceAccount {
  id: number;
  name: string;
}

export async function createGrafanaToken(opts: {
  grafanaUrl: string;
  user: string;
  password: string;
  now?: () => number;
}): Promise<string> {
  const headers = { authorization: basicAuth(opts.user, opts.password) };
  const api = (path: string) => `${opts.grafanaUrl}${path}`;
  const search = await requestJson(api(`/api/serviceaccounts/search?query=${SERVICE_ACCOUNT}`), { headers });
  if (search.status !== 200)
    throw new Error(`Grafana: service account search answered ${search.status}: ${search.text}`);
  const found = ((search.body as { serviceAccounts?: ServiceAccount[] }).serviceAccounts ?? []).find(
    (a) => a.name === SERVICE_ACCOUNT,
  );
  let id = found?.id;
  if (id === undefined) {
    const created = await requestJson(api('/api/serviceaccounts'), {
      method: 'POST',
      headers,
      body: { name: SERVICE_ACCOUNT, role: 'Editor', isDisabled: false },
    });
    if (created.status !== 201 && created.status !== 200) {
      throw new Error(`Grafana: creating the service account answered ${created.status}: ${created.text}`);
    }
    id = (created.body as ServiceAccount).id;
  }
  const token = await requestJson(api(`/api/serviceaccounts/${id}/tokens`), {
    method: 'POST',
    headers,
    body: { name: `${SERVICE_ACCOUNT}-${(opts.now ?? Date.now)()}` },
  });
  const key = (token.body as { key?: string } | undefined)?.key;
  if (token.status !== 200 || !key)
    throw new Error(`Grafana: creating a token answered ${token.status}: ${token.text}`);
  return key;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = {
    grafanaUrl: process.env.GRAFANA_URL ?? 'http://grafana:3000',
    user: process.env.GRAFANA_ADMIN_USER ?? 'admin',
    password: requiredEnv('GRAFANA_ADMIN_PASSWORD'),
  };
  retry(() => createGrafanaToken(opts), 60_000).then(
    (key) => process.stdout.write(`${key}\n`),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
