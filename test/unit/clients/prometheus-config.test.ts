import { describe, expect, it } from 'vitest';
import { timingFromConfigYaml } from '../../../packages/firedrill/src/clients/prometheus.ts';

describe('timingFromConfigYaml', () => {
  it('reads global and per-job intervals as /api/v1/status/config returns them', () => {
    const yaml = `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n- job_name: demo-app\n  scrape_interval: 1s\n- job_name: slow\n  scrape_interval: 1m30s\n- job_name: inherits\n`;
    expect(timingFromConfigYaml(yaml)).toEqual({
      scrapeIntervalMs: 1000,
      evaluationIntervalMs: 1000,
      jobScrapeIntervalMs: { 'demo-app': 1000, slow: 90_000, inherits: 1000 },
    });
  });

  it("uses Prometheus' one-minute defaults when the config says nothing", () => {
    expect(timingFromConfigYaml('{}')).toMatchObject({
      scrapeIntervalMs: 60_000,
      evaluationIntervalMs: 60_000,
    });
  });
});
