import { type HttpTarget, httpTarget } from './http.ts';
import type { Connection, GrafanaConnection } from './schema.ts';

/** The backends an environment names, as errors and reports spell them. */
export const BACKEND_NAMES = {
  prometheus: 'Prometheus',
  alertmanager: 'Alertmanager',
  pushgateway: 'Pushgateway',
  elasticsearch: 'Elasticsearch',
  slack: 'Slack',
  grafana: 'Grafana',
  faultEndpoint: 'The app’s fault endpoint',
} as const;
export type BackendKey = keyof typeof BACKEND_NAMES;

export interface BackendPlace {
  /** Environment name, for `environments.<name>.<backend>` in errors. */
  environment?: string | undefined;
  /** Project root: relative TLS files resolve against it. */
  root?: string | undefined;
}

/**
 * A configured backend, ready for its client. Grafana's `token` is its bearer auth; Slack's
 * bot token stays apart (the Slack transport sends it), so its other settings come through here.
 */
export function backendTarget(
  key: BackendKey,
  conn: Connection | GrafanaConnection,
  place: BackendPlace = {},
): HttpTarget {
  const token = key === 'grafana' ? (conn as GrafanaConnection).token : undefined;
  const { token: _omit, ...rest } = conn as GrafanaConnection;
  const resolved: Connection = token && !rest.auth ? { ...rest, auth: { type: 'bearer', token } } : rest;
  return httpTarget(
    resolved,
    {
      name: BACKEND_NAMES[key],
      ...(place.environment ? { configPath: `environments.${place.environment}.${key}` } : {}),
    },
    place.root,
  );
}
