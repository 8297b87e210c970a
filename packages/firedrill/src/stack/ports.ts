import net from 'node:net';
import type { StackConfig } from '../config/schema.ts';
import { STACK_PORT_NAMES, type StackPortName, type StackPorts } from './types.ts';

/** Binds 127.0.0.1:port (0 = any) and keeps it bound until released, so one allocation never hands out a port twice. */
function hold(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
}

function release(servers: net.Server[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
}

export async function isPortFree(port: number): Promise<boolean> {
  const s = await hold(port);
  if (s) await release([s]);
  return s !== undefined;
}

export interface PortPlanInput {
  /** `config.stack.ports`: fixed ports win; 0 means pick one. */
  fixed: StackConfig['ports'];
  /** Ports recorded by an earlier `up`. */
  recorded: Partial<StackPorts>;
  /**
   * Ports whose owner is one of our running components, or that firedrill itself listens on
   * (scheduler, drill webhook): these stay as recorded even though they are taken.
   */
  keep: ReadonlySet<StackPortName>;
}

/**
 * Picks every port of the stack: fixed ones from config, recorded ones again while they are
 * free (or held by our own running component), fresh loopback ports for the rest.
 */
export async function planPorts(input: PortPlanInput): Promise<StackPorts> {
  const held: net.Server[] = [];
  const ports: Partial<StackPorts> = {};
  const taken = new Set<number>();
  try {
    for (const name of STACK_PORT_NAMES) {
      const fixed = input.fixed[name];
      if (fixed) {
        ports[name] = fixed;
        taken.add(fixed);
      }
    }
    for (const name of STACK_PORT_NAMES) {
      if (ports[name]) continue;
      const recorded = input.recorded[name];
      if (recorded && !taken.has(recorded)) {
        if (input.keep.has(name)) {
          ports[name] = recorded;
          taken.add(recorded);
          continue;
        }
        const s = await hold(recorded);
        if (s) {
          held.push(s);
          ports[name] = recorded;
          taken.add(recorded);
          continue;
        }
      }
      for (;;) {
        const s = await hold(0);
        if (!s) throw new Error('cannot bind any loopback port on 127.0.0.1');
        held.push(s);
        const port = (s.address() as net.AddressInfo).port;
        if (taken.has(port)) continue;
        ports[name] = port;
        taken.add(port);
        break;
      }
    }
  } finally {
    await release(held);
  }
  return ports as StackPorts;
}

export type { StackPortName };
