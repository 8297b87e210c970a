import { z } from 'zod';

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
const url = z.url({ error: (iss) => `expected a URL, got ${JSON.stringify(iss.input)}` });

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
    prometheusUrl: url.optional(),
    alertmanagerUrl: url.optional(),
    pushgatewayUrl: url.optional(),
    elasticsearchUrl: url.optional(),
    slack: z
      .object({
        /** Base of Slack's Web API; the local sink serves the same shape. */
        apiUrl: url.default('https://slack.com/api'),
        token: z.string().min(1).optional(),
      })
      .optional(),
    grafana: z.object({ url, token: z.string().min(1) }).optional(),
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
    /** Fixed ports per component; a missing or 0 port means "pick a free loopback port". */
    ports: z.partialRecord(z.enum(STACK_COMPONENTS), port).default({}),
    opensearch: z
      .object({
        version: z
          .string()
          .regex(/^\d+\.\d+\.\d+$/, 'expected a version like 2.19.6')
          .default('2.19.6'),
        heapMb: z.number().int().min(256).max(8192).default(512),
      })
      .strict()
      .default({ version: '2.19.6', heapMb: 512 }),
    /** Slack channel per alert severity, as Alertmanager routes them. */
    slackChannels: z
      .record(z.string(), z.string().regex(/^#[a-z0-9._-]+$/, 'expected a channel like #alerts-critical'))
      .default({ critical: '#alerts-critical', warning: '#alerts-warning' }),
  })
  .strict();

export const configSchema = z
  .object({
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
  .strict()
  .superRefine((cfg, ctx) => {
    if (!(cfg.defaultEnvironment in cfg.environments)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultEnvironment'],
        message: `names no environment (have: ${Object.keys(cfg.environments).join(', ') || 'none'})`,
      });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type StackConfig = z.output<typeof stackSchema>;
