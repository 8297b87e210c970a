import { z } from 'zod';
import { show } from '../core/show.ts';

/**
 * How firedrill reaches a backend: Prometheus (and Prometheus-API stores: Mimir, Thanos,
 * VictoriaMetrics), Alertmanager, Pushgateway, Elasticsearch/OpenSearch, Grafana, Slack. One
 * shape for all of them, because no team's monitoring is open to anonymous requests.
 *
 * A bare URL string is the same as `{ url }`.
 *
 * @example
 * prometheus: {
 *   url: 'https://mimir.example.com/prometheus',
 *   auth: { type: 'basic', username: 'firedrill', password: env('MIMIR_PASSWORD')! },
 *   headers: { 'X-Scope-OrgID': 'team-a' },
 *   tls: { ca: 'certs/internal-ca.pem' },
 * }
 */

const url = z.url({
  protocol: /^https?$/,
  error: (iss) => `expected an http(s) URL, got ${show(iss.input)}`,
});
const secret = (what: string) =>
  z.string({ error: `expected ${what} (a string; read it with env())` }).min(1, `${what} is empty`);

export const authSchema = z.discriminatedUnion(
  'type',
  [
    /** `Authorization: Bearer <token>` (Grafana service accounts, Mimir gateways, most proxies). */
    z.object({ type: z.literal('bearer'), token: secret('a token') }).strict(),
    /** HTTP basic auth (Prometheus' and Alertmanager's `--web.config.file`, nginx, Elasticsearch users). */
    z
      .object({
        type: z.literal('basic'),
        username: z.string().min(1, 'username is empty'),
        password: secret('a password'),
      })
      .strict(),
    /** Elasticsearch/OpenSearch API key: `Authorization: ApiKey <key>` (the base64 `id:api_key` form). */
    z.object({ type: z.literal('apiKey'), key: secret('an API key') }).strict(),
  ],
  {
    error: () =>
      'expected { type: "bearer", token } | { type: "basic", username, password } | { type: "apiKey", key }',
  },
);
export type Auth = z.output<typeof authSchema>;

export const tlsSchema = z
  .object({
    /** PEM file of the CA that signed the server's certificate (relative to the project root). */
    ca: z.string().min(1).optional(),
    /** PEM client certificate, for mutual TLS; needs `key`. */
    cert: z.string().min(1).optional(),
    /** PEM private key of `cert`. */
    key: z.string().min(1).optional(),
    /** Name to check the certificate against, when the URL's host is an address or an alias. */
    serverName: z.string().min(1).optional(),
    /** Accept any certificate. Explicit, and printed as a warning: never a default. @defaultValue false */
    insecureSkipVerify: z.boolean().default(false),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (Boolean(t.cert) !== Boolean(t.key)) {
      ctx.addIssue({ code: 'custom', path: [t.cert ? 'key' : 'cert'], message: 'cert and key go together' });
    }
  });
export type TlsOptions = z.output<typeof tlsSchema>;

const connectionFields = {
  url,
  auth: authSchema.optional(),
  /** Sent with every request, e.g. `X-Scope-OrgID` for a multi-tenant Mimir or Cortex. */
  headers: z.record(z.string(), z.string()).default({}),
  tls: tlsSchema.optional(),
  /** Per request. @defaultValue 10000 */
  timeoutMs: z.number().int().positive().optional(),
};

const connectionObject = z.object(connectionFields).strict();

/**
 * A URL string or `{ url, auth, headers, tls }`; always the object once parsed. A string is read
 * as `{ url }` before validation (rather than a union) so that a problem deep inside the object
 * keeps its own path and message: `….auth.password: expected a password`, not "invalid input".
 * The cast restores the input type a preprocess erases, for users' editors.
 */
export const connectionSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { url: v } : v),
  connectionObject,
) as unknown as z.ZodType<Connection, string | z.input<typeof connectionObject>>;

/**
 * Slack's Web API: the same shape, with the bot token as `token` (every Slack call needs one)
 * and Slack itself as the default URL; the local sink serves the same API.
 */
export const slackConnectionSchema = z
  .object({
    ...connectionFields,
    url: url.default('https://slack.com/api'),
    /** Bot token (`xoxb-…`): reads `conversations.history`, posts the summary. */
    token: secret('a bot token').optional(),
  })
  .strict();

/** Grafana's HTTP API with a service-account token, or any other `auth`. */
export const grafanaConnectionSchema = z
  .object({ ...connectionFields, token: secret('a service-account token').optional() })
  .strict()
  .superRefine((g, ctx) => {
    if (!g.token && !g.auth) ctx.addIssue({ code: 'custom', path: ['token'], message: 'required (or auth)' });
  });

export interface Connection {
  url: string;
  auth?: Auth | undefined;
  headers: Record<string, string>;
  tls?: TlsOptions | undefined;
  timeoutMs?: number | undefined;
}

export type ConnectionInput = z.input<typeof connectionSchema>;
export type SlackConnection = z.output<typeof slackConnectionSchema>;
export type GrafanaConnection = z.output<typeof grafanaConnectionSchema>;
