import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requiredEnv } from '../../../packages/firedrill/src/config/define.ts';
import { ConfigError, parseConfig } from '../../../packages/firedrill/src/config/load.ts';
import { bounded, CRASH_MESSAGE, jsonish, jsValue, mutationsOf } from './arbitraries.ts';

const FILE = 'config/firedrill.config.ts';

// Every part of the schema the mutations can reach: connections, auth, tls, stack, browser.
const valid = {
  probes: { dir: 'probes', match: '*.probe.ts' },
  drills: { dir: 'alert-tests', match: '*.drill.ts' },
  stateDir: '.firedrill',
  defaultEnvironment: 'local',
  environments: {
    local: { stack: true, allowFaults: true },
    staging: {
      baseUrl: 'https://staging.example.com',
      location: 'eu-1',
      credentials: { username: 'firedrill', password: 'secret' },
      faultToken: 'token',
      prometheus: { url: 'https://prom.example.com', auth: { type: 'bearer', token: 't' }, timeoutMs: 5000 },
      alertmanager: 'https://am.example.com',
      elasticsearch: {
        url: 'https://es.example.com',
        auth: { type: 'basic', username: 'u', password: 'p' },
        tls: { ca: '/ca.pem', insecureSkipVerify: false },
        headers: { 'x-scope': 'a' },
      },
      slack: { token: 'xoxb-1', url: 'https://slack.com/api' },
      grafana: { url: 'https://grafana.example.com', token: 'glsa' },
      toxiproxyUrl: 'http://127.0.0.1:8474',
    },
  },
  stack: {
    profile: 'fast',
    ports: { prometheus: 9090, 'firedrill-webhook': 0 },
    opensearch: { version: '2.19.6', heapMb: 512 },
    slackChannels: { critical: '#alerts-critical' },
  },
  browser: { headless: true },
};

/** Parses, or fails with diagnostics that each name the file, a path and a reason; nothing else. */
function judge(raw: unknown): void {
  let error: unknown;
  try {
    const config = parseConfig(raw, FILE);
    // What passed must be usable: the runtime looks the default up without checking again.
    const name = config.defaultEnvironment;
    expect(
      Object.hasOwn(config.environments, name) || Object.hasOwn(config.unavailableEnvironments ?? {}, name),
    ).toBe(true);
    return;
  } catch (err) {
    error = err;
  }
  if (!(error instanceof ConfigError)) throw new Error(`threw ${String(error)}, not a ConfigError`);
  expect(error.diagnostics.length).toBeGreaterThan(0);
  for (const d of error.diagnostics) {
    expect(d.file).toBe(FILE);
    expect(typeof d.path).toBe('string');
    expect(d.message.trim()).not.toBe('');
    expect(d.message).not.toMatch(CRASH_MESSAGE);
  }
}

describe('parseConfig on bad input', () => {
  it('accepts the valid config the mutations start from', () => {
    expect(() => parseConfig(valid, FILE)).not.toThrow();
  });

  it('arbitrary JSON values: a ConfigError with diagnostics, never a crash', () => {
    fc.assert(
      fc.property(jsonish, (raw) => judge(raw)),
      bounded(200),
    );
  });

  it('a valid config with keys dropped, renamed, retyped or added', () => {
    fc.assert(
      fc.property(mutationsOf(valid), (raw) => judge(raw)),
      bounded(300),
    );
  });

  it('bad values at each URL, with unset requiredEnv() markers in environments', () => {
    const unset = requiredEnv('FIREDRILL_PROPERTY_TEST_NEVER_SET');
    const urlPaths = ['baseUrl', 'prometheus', 'alertmanager', 'toxiproxyUrl'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...urlPaths),
        fc.oneof(jsValue, fc.constant(unset)),
        fc.boolean(),
        (field, value, secretUnset) => {
          const staging: Record<string, unknown> = { ...valid.environments.staging, [field]: value };
          if (secretUnset) staging.faultToken = unset;
          judge({ ...valid, environments: { ...valid.environments, staging } });
        },
      ),
      bounded(200),
    );
  });
});

// Found by the properties above (or next to them), now fixed: each shrunk counterexample pinned.
describe('parseConfig: crashes found and fixed', () => {
  const unset = requiredEnv('FIREDRILL_PROPERTY_TEST_NEVER_SET');
  const staging = (baseUrl: unknown) => ({ environments: { staging: { baseUrl } } });
  const circular = () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    return o;
  };

  // The URL error message JSON.stringify-s the input: TypeError instead of a diagnostic.
  it('a bigint as baseUrl', () => judge(staging(10n)));
  it('a circular object as baseUrl', () => judge(staging(circular())));
  // zod's object parse of a connection given a Promise (a forgotten `await`) throws its own
  // TypeError: "Cannot read properties of undefined (reading 'length')" (connections/schema.ts).
  it('a Promise as a connection', () =>
    judge({ environments: { staging: { baseUrl: 'http://x', prometheus: Promise.resolve('http://p') } } }));
  // `unavailable[envName] ??= []` on a plain object: "push is not a function".
  it('an environment named __proto__ that reads an unset requiredEnv()', () => {
    // An own "__proto__" key, as a computed key or parsed JSON makes one.
    const environments = JSON.parse('{"__proto__":{"baseUrl":"http://x"}}') as object;
    Object.assign(Object.getOwnPropertyDescriptor(environments, '__proto__')!.value, { faultToken: unset });
    judge({ environments });
  });
  // `name in environments` sees Object.prototype: the config passes, the runtime gets a function.
  it.each(['toString', 'constructor', '__proto__'])('defaultEnvironment %j', (name) =>
    judge({ environments: { local: { stack: true } }, defaultEnvironment: name }),
  );
});
