import net from 'node:net';

export interface LoopbackGateway {
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP forwarder to a port on 127.0.0.1. The demo app's fault endpoint answers loopback clients
 * only; in a container every request arrives from the Docker network instead, so the published
 * port is this gateway's, and what it forwards reaches the app from 127.0.0.1. Bytes pass through
 * untouched: uploads, keep-alive, and requests a `hang` fault holds open behave as without it.
 */
export async function startLoopbackGateway(opts: {
  listenPort: number;
  listenHost?: string;
  targetPort: number;
}): Promise<LoopbackGateway> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(opts.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      // A reset on one side ends the other; nothing is worth crashing the gateway for.
      s.once('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort, opts.listenHost ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
