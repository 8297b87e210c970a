import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../packages/firedrill/src/clients/webhook-receiver.ts';
import { send, sendRaw } from '../property/http.ts';

// Counterexamples the property tests in test/unit/property/webhook-receiver.test.ts found, shrunk.
let rx: WebhookReceiver;
let base: string;
beforeAll(async () => {
  rx = (await WebhookReceiver.listen('http://127.0.0.1:0/alertmanager', { bodyTimeoutMs: 200 }))!;
  base = `http://127.0.0.1:${rx.port}`;
});
afterAll(() => rx.close());

const post = (body: string) => send(base, { method: 'POST', path: '/alertmanager', headers: {}, body }, 3000);
const firing = { status: 'firing', labels: { alertname: 'A' } };

describe('WebhookReceiver refuses what is not an Alertmanager payload', () => {
  // Before: 200, then a TypeError in the handler (an unhandled rejection ends the drill process
  // before its rollback), or garbage "alerts" that listeners read `.labels.alertname` from.
  it.each([
    ['null', 'expected a JSON object (an Alertmanager webhook payload)'],
    ['[]', 'expected a JSON object (an Alertmanager webhook payload)'],
    ['{}', 'alerts: expected an array'],
    ['{"alerts":5}', 'alerts: expected an array'],
    ['{"alerts":"ab"}', 'alerts: expected an array'],
    ['{"alerts":[null]}', 'alerts[0]: expected an object'],
    ['{"alerts":[{"labels":{}}]}', 'alerts[0].status: expected "firing" or "resolved"'],
    ['{"alerts":[{"status":"firing","labels":{"a":1}}]}', 'alerts[0].labels: expected an object of strings'],
    ['{"receiver":5,"alerts":[]}', 'receiver: expected a string'],
    ['{"alerts":', /^invalid JSON: /],
  ])('%s → 400 %s', async (body, message) => {
    const a = await post(body);
    expect(a).toMatchObject({ kind: 'response', status: 400 });
    if (a.kind === 'response') expect(a.body).toMatch(typeof message === 'string' ? `${message}\n` : message);
    expect(rx.received()).toEqual([]);
  });

  // Before: the socket was destroyed mid-upload, so the sender saw ECONNRESET, not a status.
  it('a body over 1 MiB → 413', async () => {
    const a = await post(JSON.stringify({ alerts: [], pad: 'x'.repeat(1_100_000) }));
    expect(a).toMatchObject({ kind: 'response', status: 413, body: 'body larger than 1048576 bytes\n' });
  });

  // Before: no answer until Node's 300 s request timeout.
  it('a body shorter than its Content-Length → 408 after the body timeout', async () => {
    const a = await sendRaw(
      base,
      'POST /alertmanager HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":',
      3000,
    );
    expect(a).toMatchObject({ kind: 'response', status: 408, body: 'body not complete within 200 ms\n' });
  });

  it('still takes a payload afterwards', async () => {
    const a = await post(JSON.stringify({ receiver: 'r', groupKey: 'g', alerts: [firing] }));
    expect(a).toMatchObject({ kind: 'response', status: 200 });
    expect(rx.received().map((r) => [r.receiver, r.alert.labels.alertname])).toEqual([['r', 'A']]);
  });
});
