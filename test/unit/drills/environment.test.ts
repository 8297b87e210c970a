import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../packages/firedrill/src/config/schema.ts';
import { faultTarget, resolveDrillEnvironment } from '../../../packages/firedrill/src/drills/environment.ts';

const config = (staging: Record<string, unknown>) =>
  configSchema.parse({
    defaultEnvironment: 'staging',
    environments: { staging: { baseUrl: 'https://staging.example.com', ...staging } },
  });

describe('a drill environment from the config', () => {
  it("takes Toxiproxy's API from the environment, where toxiproxy() faults find it", async () => {
    const env = await resolveDrillEnvironment(
      config({ allowFaults: true, toxiproxyUrl: 'http://127.0.0.1:8474' }),
      'staging',
      '/tmp/unused',
    );
    expect(faultTarget(env).toxiproxyUrl).toBe('http://127.0.0.1:8474');
  });

  it('names a toxiproxyUrl that is not an http(s) URL', () => {
    const r = configSchema.safeParse({
      defaultEnvironment: 'staging',
      environments: { staging: { baseUrl: 'https://staging.example.com', toxiproxyUrl: 'localhost:8474' } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      path: ['environments', 'staging', 'toxiproxyUrl'],
      message: 'expected an http(s) URL like http://127.0.0.1:8474',
    });
  });
});
