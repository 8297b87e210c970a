import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../packages/firedrill/src/config/load.ts';

const config = (baseUrl: string) => ({
  defaultEnvironment: 'staging',
  environments: { staging: { baseUrl } },
});

describe('baseUrl', () => {
  // `localhost:8080` parses as a URL with the scheme "localhost": it used to pass and turn every
  // probe run into a failed "Invalid URL" — an outage that was a typo.
  it.each(['localhost:8080', 'ftp://files.example.com', 'staging.example.com'])(
    'refuses %s, naming the file, the field and what to write',
    (baseUrl) => {
      let err: unknown;
      try {
        parseConfig(config(baseUrl), 'firedrill.config.ts');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(
        `firedrill.config.ts: environments.staging.baseUrl: expected an http(s) URL like http://localhost:8080, got ${JSON.stringify(baseUrl)}`,
      );
    },
  );

  it.each(['http://localhost:8080', 'https://staging.example.com/app'])('takes %s', (baseUrl) => {
    expect(parseConfig(config(baseUrl)).environments.staging?.baseUrl).toBe(baseUrl);
  });
});
