import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing running; integration tests share one real local stack,
// started once per run by the global setup (2 cores: never one stack per test file).
// Every JSON report and results.jsonl line written while the suite runs, by the tests or by the
// CLI processes they start, is checked against the published JSON Schema (a mismatch throws).
const env = { FIREDRILL_VALIDATE_REPORTS: '1' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
          env,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          env,
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
