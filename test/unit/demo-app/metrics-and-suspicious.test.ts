import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectBody, inspectUrl } from '../../../demo-app/src/suspicious.ts';
import { metricValue, rawGet, scrape, startApp, type TestApp } from './helpers.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('GET /metrics', () => {
  it('serves Prometheus text with every agreed metric name', async () => {
    const token = await app.login();
    await app.request('/api/items', { token });
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const types = new Map(
      text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => {
          const [, , name, type] = l.split(' ');
          return [name, type] as const;
        }),
    );
    expect(
      Object.fromEntries(
        [
          'http_request_duration_seconds',
          'http_requests_total',
          'login_attempts_total',
          'image_processing_duration_seconds',
          'image_jobs_total',
          'db_query_duration_seconds',
          'suspicious_requests_total',
          'app_faults_active',
          'process_cpu_seconds_total',
          'process_resident_memory_bytes',
          'nodejs_heap_size_used_bytes',
          'nodejs_eventloop_lag_seconds',
        ].map((name) => [name, types.get(name)]),
      ),
    ).toEqual({
      http_request_duration_seconds: 'histogram',
      http_requests_total: 'counter',
      login_attempts_total: 'counter',
      image_processing_duration_seconds: 'histogram',
      image_jobs_total: 'counter',
      db_query_duration_seconds: 'histogram',
      suspicious_requests_total: 'counter',
      app_faults_active: 'gauge',
      process_cpu_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
    });
  });

  it('starts counters and gauges at zero for every bounded label value', async () => {
    const fresh = await startApp();
    try {
      const text = await scrape(fresh);
      for (const result of ['success', 'failure'])
        expect(metricValue(text, 'login_attempts_total', { result })).toBe(0);
      for (const result of ['done', 'failed'])
        expect(metricValue(text, 'image_jobs_total', { result })).toBe(0);
      for (const reason of ['path_traversal', 'sql_injection', 'script_injection']) {
        expect(metricValue(text, 'suspicious_requests_total', { reason })).toBe(0);
      }
      for (const kind of ['latency', 'error-rate', 'login-failure', 'slow-image', 'hang', 'crash']) {
        expect(metricValue(text, 'app_faults_active', { kind })).toBe(0);
      }
    } finally {
      await fresh.close();
    }
  });

  it('labels requests by route template, method and status; unknown routes are "unmatched"', async () => {
    const token = await app.login();
    await app.request('/api/items/123456', { token });
    await app.request('/api/items/654321', { token });
    for (const path of ['/random-1', '/random-2', '/wp-admin/setup.php']) await app.request(path);
    const text = await scrape(app);
    expect(
      metricValue(text, 'http_requests_total', {
        method: 'GET',
        route: '/api/items/:id',
        status_code: '404',
      }),
    ).toBe(2);
    expect(
      metricValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' }),
    ).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain('random-1');
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/items\/:id",status_code="404"\}/,
    );
    expect(text).toMatch(/db_query_duration_seconds_count\{operation="items\.get"\} [1-9]/);
  });
});

describe('suspicious request detection', () => {
  it.each([
    ['/api/items/../../etc/passwd', 'path_traversal', 'path'],
    ['/api/items/%2e%2e/%2e%2e/etc/passwd', 'path_traversal', 'path'],
    ['/static/%252e%252e%252fetc%252fpasswd', 'path_traversal', 'path'],
    ['/api/items?file=..%2F..%2Fetc%2Fpasswd', 'path_traversal', 'query.file'],
    ["/api/items?q=' or 1=1 --", 'sql_injection', 'query.q'],
    ["/api/items?q=admin'--", 'sql_injection', 'query.q'],
    ['/api/items?id=1%20UNION%20SELECT%20password%20FROM%20users', 'sql_injection', 'query.id'],
    ['/api/items?id=1 or 1=1', 'sql_injection', 'query.id'],
    ['/search?q=%3Cscript%3Ealert(1)%3C/script%3E', 'script_injection', 'query.q'],
    ['/search?q=<img src=x onerror=alert(1)>', 'script_injection', 'query.q'],
  ])('flags %s as %s in %s', (url, reason, field) => {
    expect(inspectUrl(url)).toMatchObject({ reason, field });
  });

  it.each([
    '/api/items',
    '/api/items?page=2&sort=title',
    '/login?next=%2Fitems',
    "/api/items?q=it's or nothing",
    '/api/items?q=1..2',
    '/build/chunks/chunk-ABC.js',
  ])('lets %s through', (url) => {
    expect(inspectUrl(url)).toBeUndefined();
  });

  it.each([
    [{ title: "x' OR 'a'='a" }, 'sql_injection', 'body.title'],
    [{ title: 'ok', tags: ['fine', '<script src=//x>'] }, 'script_injection', 'body.tags.1'],
    [{ deep: { deeper: { value: '1; DROP TABLE users' } } }, 'sql_injection', 'body.deep.deeper.value'],
  ])('flags body %j', (body, reason, field) => {
    expect(inspectBody(body)).toMatchObject({ reason, field });
  });

  it.each([
    [{ title: 'see ../notes for details', body: "Tom's and Jerry's" }],
    [{ username: 'demo', password: "' or 1=1 --<script>" }],
    [{ count: 3, done: true, nothing: null }],
  ])('lets body %j through (passwords are never inspected)', (body) => {
    expect(inspectBody(body)).toBeUndefined();
  });

  it('rejects with 400 suspicious_request, counts by reason and logs at warn with the reason', async () => {
    const token = await app.login();
    const before = await scrape(app);
    const traversal = await rawGet(app.url, '/api/items/%2e%2e/%2e%2e/etc/passwd', {
      'x-request-id': 'suspicious-raw',
    });
    expect(traversal.status).toBe(400);
    expect(JSON.parse(traversal.body)).toEqual({
      error: 'suspicious_request',
      message: 'request rejected: path traversal',
      request_id: 'suspicious-raw',
    });
    const cases: [string, RequestInit & { json?: unknown; token?: string }, string, string][] = [
      ["/api/items?q=' or 1=1", { token }, 'sql_injection', 'request rejected: SQL injection pattern'],
      [
        '/api/items',
        { method: 'POST', token, json: { title: '<script>alert(1)</script>' } },
        'script_injection',
        'request rejected: script injection pattern',
      ],
      [
        '/api/login',
        { method: 'POST', json: { username: "admin' --", password: 'x' } },
        'sql_injection',
        'request rejected: SQL injection pattern',
      ],
    ];
    for (const [i, [path, init, reason, message]] of cases.entries()) {
      const requestId = `suspicious-${i}`;
      const response = await app.request(path, { ...init, headers: { 'x-request-id': requestId } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'suspicious_request', message, request_id: requestId });
      const line = await app.waitForLog(
        (l) => l.request_id === requestId && l.event === 'suspicious_request',
      );
      expect(line).toMatchObject({
        level: 'warn',
        reason,
        field: expect.any(String),
        sample: expect.any(String),
      });
    }
    const after = await scrape(app);
    const delta = (reason: string) =>
      (metricValue(after, 'suspicious_requests_total', { reason }) ?? 0) -
      (metricValue(before, 'suspicious_requests_total', { reason }) ?? 0);
    expect([delta('path_traversal'), delta('sql_injection'), delta('script_injection')]).toEqual([1, 2, 1]);
    // Nothing was created by the rejected POST.
    const { items } = (await (await app.request('/api/items', { token })).json()) as { items: unknown[] };
    expect(items).toHaveLength(0);
  });
});
