import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, REPO_ROOT, startPrometheus, tempDir } from './tools.ts';

// The fast rules in a real Prometheus 2.42 scraping a fake app every second: what promtool
// cannot show is scrape timing. Prometheus must have scraped the app for one window (10s)
// before the fault, as in a running stack; only then is a new 5xx series counted in full.
const WINDOW_MS = 10_000;

const counters = new Map<string, number>([
  ['status_code="200"', 0],
  // A lifetime count of 5xx from before Prometheus started: must not fire at its start.
  ['status_code="500"', 400],
]);
let scrapes = 0;

const tmp = tempDir('prometheus-live');
let app: Server;
let prometheus: Daemon;

beforeAll(async () => {
  app = createServer((_req, res) => {
    scrapes++;
    counters.set('status_code="200"', (counters.get('status_code="200"') ?? 0) + 10);
    const lines = [...counters].map(
      ([status, n]) => `http_requests_total{method="GET",route="/api/items",${status}} ${n}`,
    );
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE http_requests_total counter\n${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const config = tmp.write(
    'prometheus.yml',
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${join(REPO_ROOT, 'config/prometheus/rules.fast.yml')}']`,
      'scrape_configs:',
      '  - job_name: demo-app',
      `    static_configs: [{ targets: ['127.0.0.1:${(app.address() as AddressInfo).port}'] }]`,
    ].join('\n'),
  );
  prometheus = await startPrometheus(config, join(tmp.dir, 'data'));
}, 30_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => app?.close(resolve));
  tmp.remove();
});

async function firing(name: string): Promise<boolean> {
  const res = await fetch(`${prometheus.url}/api/v1/alerts`);
  const body = (await res.json()) as {
    data: { alerts: { labels: Record<string, string>; state: string }[] };
  };
  return body.data.alerts.some((a) => a.labels.alertname === name && a.state === 'firing');
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await condition()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${timeoutMs}ms`);
}

it('a burst of 5xx in one scrape fires HighApiErrorRate within seconds, and it resolves after one window', async () => {
  await until(async () => scrapes > 0, 10_000);
  // Warm-up: one window of scrapes, all the while with lifetime 5xx counts on display.
  const warmupEnd = Date.now() + WINDOW_MS + 1_500;
  while (Date.now() < warmupEnd) {
    expect(await firing('HighApiErrorRate')).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
  }

  counters.set('status_code="503"', 20);
  const fireMs = await until(() => firing('HighApiErrorRate'), 5_000);
  const resolveMs = await until(async () => !(await firing('HighApiErrorRate')), WINDOW_MS + 5_000);
  console.log(
    `HighApiErrorRate in Prometheus 2.42: fired ${fireMs}ms after the burst, resolved ${resolveMs}ms later`,
  );
  expect(fireMs).toBeLessThan(3_000);
  expect(resolveMs).toBeGreaterThan(WINDOW_MS - 3_000);
}, 60_000);
