import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackGateway, startLoopbackGateway } from '../../../docker/demo-app/loopback-gateway.ts';
import { FAULT_TOKEN, startApp, type TestApp } from '../demo-app/helpers.ts';

/** An address of this machine that is not loopback: what a container sees a request come from. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

// The real demo app listening on every interface, as in its container; the gateway beside it.
describe.skipIf(!external)(`loopback gateway (this machine's non-loopback address: ${external})`, () => {
  let app: TestApp;
  let gateway: LoopbackGateway;
  const port = () => Number(new URL(app.url).port);

  beforeAll(async () => {
    app = await startApp({ host: '0.0.0.0' });
    gateway = await startLoopbackGateway({ listenPort: 0, targetPort: port() });
  });
  afterAll(async () => {
    await gateway?.close();
    await app?.close();
  });

  const injectVia = (p: number) =>
    fetch(`http://${external}:${p}/__faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${FAULT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'latency', latencyMs: 1, ttlSeconds: 5 }),
    });

  it('without it, the fault endpoint refuses a client from the network (403)', async () => {
    const res = await injectVia(port());
    expect(res.status).toBe(403);
  });

  it('through it, the same request arrives from 127.0.0.1 and the fault is created (201)', async () => {
    const res = await injectVia(gateway.port);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: 'latency' });
    await fetch(`http://${external}:${gateway.port}/__faults`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${FAULT_TOKEN}` },
    });
  });

  it('passes a large upload through byte for byte, request id and all', async () => {
    const { default: sharp } = await import('sharp');
    // Noise does not compress: about a megabyte, many TCP segments through the gateway.
    const png = await sharp({
      create: {
        width: 600,
        height: 600,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('image', new Blob([png], { type: 'image/png' }), 'noise.png');
    const token = await app.login();
    const base = `http://${external}:${gateway.port}`;
    const res = await fetch(`${base}/api/images`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'gw-upload-1' },
      body: form,
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe('gw-upload-1');
    const { id } = (await res.json()) as { id: string };
    const image = (await (
      await fetch(`${base}/api/images/${id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      bytes: number;
    };
    expect(image.bytes).toBe(png.length);
  });

  it('a client that goes away does not take the gateway down', async () => {
    const { connect } = await import('node:net');
    const socket = connect(gateway.port, external!);
    await new Promise((r) => socket.once('connect', r));
    socket.destroy();
    const res = await fetch(`http://${external}:${gateway.port}/healthz`);
    expect(res.status).toBe(200);
  });
});
