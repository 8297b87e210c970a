import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WebhookReceiver,
  webhookPayloadProblem,
} from '../../../packages/firedrill/src/clients/webhook-receiver.ts';
import { bounded, mutationsOf } from './arbitraries.ts';
import { type Answer, bodyArb, contentType, headerValue, method, send, sendRaw } from './http.ts';

const PATH = '/alertmanager';
const BODY_TIMEOUT_MS = 200;
// Far above any answer the receiver gives (a few ms) and above its body timeout: a hang, not a slow run.
const DEADLINE_MS = 3000;

const valid = {
  version: '4',
  groupKey: '{}:{alertname="A"}',
  status: 'firing',
  receiver: 'firedrill',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://am',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'A', severity: 'critical' },
      annotations: { summary: 's' },
      startsAt: '2024-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
    },
  ],
};

let rx: WebhookReceiver;
let base: string;
beforeAll(async () => {
  rx = (await WebhookReceiver.listen('http://127.0.0.1:0/alertmanager', { bodyTimeoutMs: BODY_TIMEOUT_MS }))!;
  base = `http://127.0.0.1:${rx.port}`;
});
afterAll(() => rx.close());

const postValid = () =>
  send(base, { method: 'POST', path: PATH, headers: {}, body: JSON.stringify(valid) }, DEADLINE_MS);

function expectStatus(a: Answer, ok: (status: number) => boolean): void {
  expect(a.kind, JSON.stringify(a).slice(0, 200)).toBe('response');
  if (a.kind === 'response') expect(ok(a.status), `${a.status} ${a.body.slice(0, 200)}`).toBe(true);
}

describe('WebhookReceiver on bad input', () => {
  it('arbitrary methods, paths, headers and bodies: 200 only for a payload, else a 4xx with a reason', async () => {
    const request = fc.record({
      method,
      path: fc.oneof(
        fc.constant(PATH),
        fc.constant(`${PATH}?x=1`),
        fc.webPath(),
        fc.constantFrom('/', '//', '/%ZZ'),
      ),
      type: contentType,
      extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), headerValue, { maxKeys: 3 }),
      body: fc.oneof(
        bodyArb([valid]),
        mutationsOf(valid).map((v) => JSON.stringify(v) ?? ''),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers = { ...r.extra, ...(r.type === undefined ? {} : { 'content-type': r.type }) };
        const withBody = !['GET', 'HEAD'].includes(r.method);
        const a = await send(
          base,
          { method: r.method, path: r.path, headers, ...(withBody ? { body: r.body } : {}) },
          DEADLINE_MS,
        );
        let isPayload = false;
        try {
          isPayload = webhookPayloadProblem(JSON.parse(r.body)) === undefined;
        } catch {}
        const fits = Buffer.byteLength(r.body) <= 1024 * 1024;
        const accepted = r.method === 'POST' && r.path.split('?')[0] === PATH && isPayload && fits;
        expectStatus(a, (s) => (accepted ? s === 200 : s >= 400 && s < 500));
        if (a.kind === 'response' && a.status === 400) expect(a.body.trim()).not.toBe('');
      }),
      bounded(200, 8000),
    );
    expectStatus(await postValid(), (s) => s === 200);
  });

  it('a body shorter than its Content-Length: 408 once the body timeout passes; a hang-up costs nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        async (sent, missing, hangUp) => {
          const length = Buffer.byteLength(sent) + missing;
          const head = `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;
          const a = await sendRaw(base, head + sent, DEADLINE_MS, hangUp);
          if (!hangUp) expectStatus(a, (s) => s === 408);
          else expect(a.kind).not.toBe('timeout');
        },
      ),
      bounded(10, 5000),
    );
    const before = rx.received().length;
    expectStatus(await postValid(), (s) => s === 200);
    expect(rx.received().length).toBe(before + 1);
  });

  it('garbage instead of HTTP: a 4xx or a closed connection, and it keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 100 }), async (bytes) => {
        const a = await sendRaw(base, `${bytes}\r\n\r\n`, DEADLINE_MS, true);
        if (a.kind === 'response') expect(a.status).toBeLessThan(500);
        else expect(a.kind).toBe('dropped');
      }),
      bounded(50, 4000),
    );
    expectStatus(await postValid(), (s) => s === 200);
  });
});
