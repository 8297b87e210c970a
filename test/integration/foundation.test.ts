import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { SlackClient } from '../../packages/firedrill/src/clients/slack.ts';
import { loadLogSchema, validateLogEntry } from '../../packages/firedrill/src/log-schemas/validate.ts';
import { promQuery, type TestStack, testStack, waitFor } from './stack-env.ts';

// The foundation, end to end on the real stack: the demo app's flows, its metrics in the real
// Prometheus, its logs through rsyslog into OpenSearch, and a fault that fires a real alert
// through Alertmanager into the Slack sink — and resolves.

let stack: TestStack;
const runTag = randomUUID().slice(0, 8);
let seq = 0;
const rid = () => `it-${runTag}-${++seq}`;

async function api(path: string, init: RequestInit & { token?: string; requestId?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('x-request-id', init.requestId ?? rid());
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (typeof init.body === 'string') headers.set('content-type', 'application/json');
  return fetch(`${stack.urls.baseUrl}${path}`, { ...init, headers });
}

async function login(username = 'demo', password = 'demo-password') {
  const res = await api('/api/login', { method: 'POST', body: JSON.stringify({ username, password }) });
  return { res, body: (await res.json()) as { token?: string; error?: string } };
}

beforeAll(async () => {
  stack = await testStack();
});

describe('demo app on the local stack', () => {
  it('logs in, and a failed login moves login_attempts_total{result="failure"} in Prometheus', async () => {
    const ok = await login();
    expect(ok.res.status).toBe(200);
    expect(ok.body.token).toBeTruthy();

    const query = 'sum(login_attempts_total{job="demo-app", result="failure"})';
    const before = (await promQuery(stack.urls, query)) ?? 0;
    const bad = await login('demo', 'wrong-password');
    expect(bad.res.status).toBe(401);
    expect(bad.body.error).toBe('invalid_credentials');
    const after = await waitFor('the failed login in Prometheus', async () => {
      const v = await promQuery(stack.urls, query);
      return v !== undefined && v > before ? v : undefined;
    });
    expect(after).toBeGreaterThan(before);
  });

  it('runs the items API flow: create, read, list, delete', async () => {
    const { body } = await login();
    const token = body.token!;
    const created = await api('/api/items', {
      method: 'POST',
      token,
      body: JSON.stringify({ title: `item ${runTag}` }),
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: number | string; title: string };
    expect(item.title).toBe(`item ${runTag}`);
    expect((await api(`/api/items/${item.id}`, { token })).status).toBe(200);
    const list = (await (await api('/api/items', { token })).json()) as unknown;
    expect(JSON.stringify(list)).toContain(`item ${runTag}`);
    expect((await api(`/api/items/${item.id}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await api(`/api/items/${item.id}`, { token })).status).toBe(404);
  });

  it('processes an uploaded image into a 128 px thumbnail', async () => {
    const { body } = await login();
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3b82f6' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'probe.png');
    const up = await api('/api/images', { method: 'POST', token: body.token!, body: form });
    expect(up.status).toBe(202);
    const { id } = (await up.json()) as { id: string };
    const done = await waitFor('image processing', async () => {
      const s = (await (await api(`/api/images/${id}`, { token: body.token! })).json()) as {
        status: string;
        outputs?: { thumbnail: string };
      };
      if (s.status === 'failed') throw new Error('image processing failed');
      return s.status === 'done' ? s : undefined;
    });
    const thumb = await fetch(new URL(done.outputs!.thumbnail, stack.urls.baseUrl), {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(thumb.status).toBe(200);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(128);
  });

  it('exposes the strategy metrics on /metrics and Prometheus scrapes them', async () => {
    const text = await (await fetch(`${stack.urls.baseUrl}/metrics`)).text();
    for (const name of [
      'http_request_duration_seconds_bucket',
      'http_requests_total',
      'login_attempts_total',
      'image_processing_duration_seconds',
      'image_jobs_total',
      'db_query_duration_seconds',
      'suspicious_requests_total',
      'app_faults_active',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toContain(name);
    }
    expect(await promQuery(stack.urls, 'up{job="demo-app"}')).toBe(1);
  });

  it('ships the log entries a request caused into OpenSearch, and they pass the backend schema', async () => {
    const ids = [rid(), rid(), rid()];
    const { body } = await login();
    for (const id of ids) await api('/api/items', { token: body.token!, requestId: id });
    const started = Date.now();
    const hits = await waitFor('the log entries in OpenSearch', async () => {
      const res = await fetch(`${stack.urls.elasticsearchUrl}/app-logs-*/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ size: 50, query: { terms: { request_id: ids } } }),
      });
      if (!res.ok) return undefined;
      const found = (await res.json()) as { hits: { hits: { _source: Record<string, unknown> }[] } };
      const docs = found.hits.hits.map((h) => h._source);
      return ids.every((id) => docs.some((d) => d.request_id === id && d.event === 'http_request'))
        ? docs
        : undefined;
    });
    const delay = Date.now() - started;
    process.stderr.write(`[foundation] log ingest: ${hits.length} entries visible after ${delay} ms\n`);
    const schema = loadLogSchema('backend');
    for (const doc of hits) {
      const v = validateLogEntry(schema, doc);
      expect(v.problems, JSON.stringify(doc)).toEqual([]);
      expect(doc.route).toBe('/api/items');
      expect(doc.status_code).toBe(200);
    }
  });

  it('a bad request gets a 4xx JSON error, and the app keeps serving', async () => {
    const res = await api('/api/login', { method: 'POST', body: '{"username": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_json');
    expect((await fetch(`${stack.urls.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe('a fault fires a real alert into the Slack sink, and it resolves', () => {
  it('error-rate fault → HighApiErrorRate firing in Prometheus and Alertmanager → #alerts-critical; clear → [RESOLVED]', async () => {
    const slack = new SlackClient({ apiUrl: stack.urls.slackApiUrl, token: 'xoxb-firedrill-test' });
    const faultUrl = `${stack.urls.baseUrl}/__faults`;
    const auth = { authorization: `Bearer ${stack.faultToken}`, 'content-type': 'application/json' };
    const injectedAt = Date.now();
    const fault = await fetch(faultUrl, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ kind: 'error-rate', rate: 1, ttlSeconds: 60 }),
    });
    expect(fault.status).toBe(201);
    const { id: faultId } = (await fault.json()) as { id: string };

    // Bounded traffic so the rule has failing requests to count: at most 60 s, 4 requests/s.
    const { body } = await login();
    const ac = new AbortController();
    const traffic = (async () => {
      for (let i = 0; i < 240 && !ac.signal.aborted; i++) {
        await api('/api/items', { token: body.token! }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      const firing = await waitFor(
        'HighApiErrorRate firing in Prometheus',
        async () => {
          const res = await fetch(`${stack.urls.prometheusUrl}/api/v1/alerts`);
          const alerts = (
            (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } }
          ).data.alerts;
          return alerts.find((a) => a.labels.alertname === 'HighApiErrorRate' && a.state === 'firing');
        },
        30_000,
      );
      expect(firing.labels.severity).toBe('critical');
      await waitFor('HighApiErrorRate in Alertmanager', async () => {
        const res = await fetch(
          `${stack.urls.alertmanagerUrl}/api/v2/alerts?filter=alertname%3D%22HighApiErrorRate%22`,
        );
        const alerts = (await res.json()) as { status: { state: string } }[];
        return alerts.find((a) => a.status.state === 'active');
      });
      const msg = await slack.waitForMessage({
        channel: '#alerts-critical',
        match: { alertName: 'HighApiErrorRate', resolved: false },
        oldest: injectedAt,
        deadline: Date.now() + 30_000,
        pollIntervalMs: 250,
      });
      process.stderr.write(`[foundation] fault → Slack message seen after ${msg.seenAt - injectedAt} ms\n`);
      const warnings = await slack
        .history({ channel: '#alerts-warning', oldest: injectedAt })
        .catch(() => []);
      expect(JSON.stringify(warnings)).not.toContain('HighApiErrorRate');
    } finally {
      ac.abort();
      await traffic;
      const cleared = await fetch(`${faultUrl}/${faultId}`, {
        method: 'DELETE',
        headers: { authorization: auth.authorization },
      });
      expect([204, 200, 404]).toContain(cleared.status);
    }
    const clearedAt = Date.now();
    // Healthy traffic after the fault, so the error ratio drops instead of going stale.
    for (let i = 0; i < 20; i++) {
      await api('/api/items', { token: body.token! });
      await new Promise((r) => setTimeout(r, 100));
    }
    const resolved = await slack.waitForMessage({
      channel: '#alerts-critical',
      match: { alertName: 'HighApiErrorRate', resolved: true },
      oldest: clearedAt,
      deadline: Date.now() + 45_000,
      pollIntervalMs: 250,
    });
    process.stderr.write(`[foundation] clear → [RESOLVED] seen after ${resolved.seenAt - clearedAt} ms\n`);
    const active = (await (
      await fetch(faultUrl, { headers: { authorization: auth.authorization } })
    ).json()) as unknown[];
    expect(Array.isArray(active) ? active : (active as { faults: unknown[] }).faults).toEqual([]);
  });
});
