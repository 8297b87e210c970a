import { z } from 'zod';
import { connectionSchema, grafanaConnectionSchema, slackConnectionSchema } from '../connections/schema.ts';
import { show } from '../core/show.ts';
import type { Diagnostic } from './load.ts';

/** Components of the embedded local stack, in start order. */
export const STACK_COMPONENTS = [
  'opensearch',
  'slack-sink',
  'demo-app',
  'log-shipper',
  'pushgateway',
  'alertmanager',
  'prometheus',
] as const;
export type StackComponent = (typeof STACK_COMPONENTS)[number];

const port = z.number().int().min(0).max(65535);
// http(s) only: `localhost:8080` is a valid URL (scheme "localhost"), and became a probe failing
// with "Invalid URL" every run — an outage that was a typo.
const url = z.url({
  protocol: /^https?$/,
  error: (iss) => `expected an http(s) URL like http://localhost:8080, got ${show(iss.input)}`,
});

export const environmentSchema = z
  .object({
    /** Where the app under test lives. Omit when `stack: true`: the local stack's demo app is used. */
    baseUrl: url.optional(),
    /** URLs come from the running embedded local stack (`firedrill stack up`). */
    stack: z.boolean().default(false),
    /** Location label on every metric (one agent per location). */
    location: z.string().min(1).default('local'),
    /** Drills refuse an environment unless this is true. */
    allowFaults: z.boolean().default(false),
    /** Drills against production need an explicit confirmation flag as well. */
    production: z.boolean().default(false),
    credentials: z.object({ username: z.string().min(1), password: z.string().min(1) }).optional(),
    /** Token for the app's fault endpoint (`Authorization: Bearer …`). */
    faultToken: z.string().min(1).optional(),
    /**
     * Where the app's fault endpoint (`POST /__faults`) is reached, when not at `baseUrl` with
     * `faultToken` as bearer: an admin port, a gateway with its own auth, a private CA.
     */
    faultEndpoint: connectionSchema.optional(),
    /**
     * Each backend is a URL or `{ url, auth, headers, tls }` (see `connectionFromEnv` for reading
     * one from CI secrets). Prometheus also stands for any store with its query API (Mimir,
     * Thanos, VictoriaMetrics): drills read rules and alerts from it.
     */
    prometheus: connectionSchema.optional(),
    alertmanager: connectionSchema.optional(),
    /** Where `firedrill probe --push` sends a one-shot run's metrics. */
    pushgateway: connectionSchema.optional(),
    /** Elasticsearch or OpenSearch holding the app's logs (`logsArrive`). */
    elasticsearch: connectionSchema.optional(),
    /** Slack's Web API (or the local sink) with a bot token: drills read channels, the summary posts. */
    slack: slackConnectionSchema.optional(),
    grafana: grafanaConnectionSchema.optional(),
    /** Toxiproxy's HTTP API, for `toxiproxy()` faults that do not name their own `apiUrl`. */
    toxiproxyUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL like http://127.0.0.1:8474' })
      .optional(),
  })
  .strict()
  .superRefine((env, ctx) => {
    if (!env.stack && !env.baseUrl) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'required unless stack: true' });
    }
  });

export const stackSchema = z
  .object({
    /** `fast`: 1 s scrape/evaluation and 0 s group_wait, so drills take seconds (tests, demo). */
    profile: z.enum(['fast', 'default']).default('fast'),
    /**
     * Fixed loopback ports; a missing or 0 port means "pick a free one on first `up`, then keep it".
     * Besides the components that listen (the log shipper does not): OpenSearch's transport port,
     * and two ports the stack reserves for firedrill itself: the scheduler's `/metrics`, which
     * Prometheus scrapes, and the drill runner's webhook, which Alertmanager posts to.
     */
    ports: z
      .partialRecord(
        z
          .enum([...STACK_COMPONENTS, 'opensearch-transport', 'firedrill-metrics', 'firedrill-webhook'])
          .exclude(['log-shipper']),
        port,
      )
      .default({}),
    /**
     * Where downloaded programs are unpacked (OpenSearch), shared by every state dir.
     * @defaultValue `/var/cache/firedrill` as root (OpenSearch then runs as `nobody`, who cannot
     * enter `/root`), else `$XDG_CACHE_HOME/firedrill` or `~/.cache/firedrill`
     */
    cacheDir: z.string().min(1).optional(),
    opensearch: z
      .object({
        version: z
          .string()
          .regex(/^\d+\.\d+\.\d+$/, 'expected a version like 2.19.6')
          .default('2.19.6'),
        heapMb: z.number().int().min(256).max(8192).default(512),
        /** Java 11 to 23 to run it on; found from $JAVA_HOME, `java` on PATH or /usr/lib/jvm when omitted. */
        javaHome: z.string().min(1).optional(),
      })
      .strict()
      .default({ version: '2.19.6', heapMb: 512 }),
    /** Slack channel per alert severity, as Alertmanager routes them. */
    slackChannels: z
      .record(z.string(), z.string().regex(/^#[a-z0-9._-]+$/, 'expected a channel like #alerts-critical'))
      .default({ critical: '#alerts-critical', warning: '#alerts-warning' }),
  })
  .strict();

function filesSchema(dir: string, match: string) {
  return z
    .object({
      /** Relative to the project root. */
      dir: z.string().min(1).default(dir),
      /** File names to load, `*` and `?` as in a shell; others in the folder are left alone. */
      match: z.string().min(1).default(match),
    })
    .strict()
    .default({ dir, match });
}

export const configSchema = z
  .object({
    /**
     * Project root (where `probes/` is read from, and what `stateDir` is relative to), relative to
     * the config file's folder. Only for a config kept outside the project's `config/`, e.g. a test
     * fixture pointing at the repo's probes.
     * @defaultValue the config file's grandparent when it sits in `config/`, else its folder
     */
    root: z.string().min(1).optional(),
    /** Where probe files live and which names in it are probes. */
    probes: filesSchema('probes', '*.probe.ts'),
    /** Where drill files live and which names in it are drills. */
    drills: filesSchema('alert-tests', '*.drill.ts'),
    /** Where firedrill keeps state: the stack's processes, the rollback journal, reports. */
    stateDir: z.string().min(1).default('.firedrill'),
    defaultEnvironment: z.string().min(1).default('local'),
    environments: z.record(z.string(), environmentSchema),
    stack: stackSchema.default(stackSchema.parse({})),
    browser: z
      .object({
        /** Chromium to drive; found at /usr/bin/chromium or $FIREDRILL_CHROMIUM when omitted. */
        executablePath: z.string().min(1).optional(),
        headless: z.boolean().default(true),
      })
      .strict()
      .default({ headless: true }),
  })
  // `defaultEnvironment` naming an environment is checked by `parseConfig`, which also knows the
  // environments left out for unset variables.
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema> & {
  /**
   * Environments left out of `environments` because a `requiredEnv()` variable they read is
   * unset: using one is an error that names each variable; the others work without them.
   */
  readonly unavailableEnvironments?: Readonly<Record<string, readonly Diagnostic[]>>;
};
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type StackConfig = z.output<typeof stackSchema>;
