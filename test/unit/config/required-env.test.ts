import { afterEach, describe, expect, it } from 'vitest';
import { env, requiredEnv, takeUnsetReads } from '../../../packages/firedrill/src/config/define.ts';
import { environmentConfig, environmentNames } from '../../../packages/firedrill/src/config/environment.ts';
import { ConfigError, parseConfig } from '../../../packages/firedrill/src/config/load.ts';

const VARS = ['FD_TEST_STAGING_PASSWORD', 'FD_TEST_PROD_URL', 'FD_TEST_JAVA', 'FD_TEST_OPTIONAL'];
afterEach(() => {
  for (const v of VARS) delete process.env[v];
  takeUnsetReads();
});

function config() {
  return {
    defaultEnvironment: 'local',
    environments: {
      local: { stack: true },
      staging: {
        baseUrl: 'https://staging.example.com',
        credentials: { username: 'firedrill', password: requiredEnv('FD_TEST_STAGING_PASSWORD') },
      },
      production: { baseUrl: requiredEnv('FD_TEST_PROD_URL'), production: true },
    },
  };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('requiredEnv', () => {
  it('returns the value when the variable is set', () => {
    process.env.FD_TEST_STAGING_PASSWORD = 's3cret';
    const parsed = parseConfig(config(), 'firedrill.config.ts');
    expect(environmentConfig(parsed, 'staging').credentials?.password).toBe('s3cret');
  });

  it('lets every other environment work while one has unset variables', () => {
    const parsed = parseConfig(config(), 'firedrill.config.ts');
    expect(environmentConfig(parsed, 'local').stack).toBe(true);
    expect(environmentNames(parsed)).toEqual(['local', 'staging', 'production']);
  });

  it('names the variable and the field when the environment is used', () => {
    const parsed = parseConfig(config(), 'firedrill.config.ts');
    expect(errorOf(() => environmentConfig(parsed, 'staging')).message).toBe(
      'firedrill.config.ts: environments.staging.credentials.password: FD_TEST_STAGING_PASSWORD is not set (read with requiredEnv())',
    );
    // A required field read from an unset variable is still "required", named by its variable.
    expect(errorOf(() => environmentConfig(parsed, 'production')).message).toBe(
      'firedrill.config.ts: environments.production.baseUrl: FD_TEST_PROD_URL is not set (read with requiredEnv())',
    );
  });

  it('still checks the rest of an environment whose variables are unset', () => {
    const raw = config();
    (raw.environments.staging as Record<string, unknown>).baseURL = 'typo';
    expect(errorOf(() => parseConfig(raw, 'firedrill.config.ts')).diagnostics).toEqual([
      { file: 'firedrill.config.ts', path: 'environments.staging', message: 'Unrecognized key: "baseURL"' },
    ]);
  });

  it('may be the default environment, refused only when used', () => {
    const parsed = parseConfig({ ...config(), defaultEnvironment: 'staging' }, 'firedrill.config.ts');
    expect(() => environmentConfig(parsed, parsed.defaultEnvironment)).toThrow(/FD_TEST_STAGING_PASSWORD/);
  });

  it('fails the whole config outside environments, where every command needs it', () => {
    const raw = { ...config(), stack: { opensearch: { javaHome: requiredEnv('FD_TEST_JAVA') } } };
    expect(errorOf(() => parseConfig(raw, 'firedrill.config.ts')).message).toBe(
      'firedrill.config.ts: stack.opensearch.javaHome: FD_TEST_JAVA is not set (read with requiredEnv())',
    );
  });

  it('says unknown environments apart from unavailable ones', () => {
    const parsed = parseConfig(config(), 'firedrill.config.ts');
    expect(() => environmentConfig(parsed, 'qa')).toThrow(
      'unknown environment "qa" (have: local, staging, production)',
    );
  });
});

describe('env() without a default', () => {
  it('names the unset variables when a field it fed is missing', () => {
    const raw = {
      environments: {
        local: { stack: true, credentials: { username: 'demo', password: env('FD_TEST_OPTIONAL') } },
      },
    };
    expect(errorOf(() => parseConfig(raw, 'c.ts', takeUnsetReads())).message).toMatch(
      /^c\.ts: environments\.local\.credentials\.password: .*\(unset variables env\(\) read without a default: FD_TEST_OPTIONAL; requiredEnv\('NAME'\) names the one a field needs\)$/,
    );
  });

  it('still gives undefined for optional fields and choices', () => {
    expect(env('FD_TEST_OPTIONAL')).toBeUndefined();
    expect(env('FD_TEST_OPTIONAL', 'fallback')).toBe('fallback');
  });
});
