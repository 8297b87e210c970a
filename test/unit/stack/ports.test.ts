import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortFree, planPorts } from '../../../packages/firedrill/src/stack/ports.ts';
import { STACK_PORT_NAMES } from '../../../packages/firedrill/src/stack/types.ts';

const servers: net.Server[] = [];
async function occupy(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('planPorts', () => {
  it('gives every name a distinct free loopback port', async () => {
    const ports = await planPorts({ fixed: {}, recorded: {}, keep: new Set() });
    expect(Object.keys(ports).sort()).toEqual([...STACK_PORT_NAMES].sort());
    const values = Object.values(ports);
    expect(new Set(values).size).toBe(values.length);
    for (const p of values) expect(await isPortFree(p)).toBe(true);
  });

  it('uses fixed ports from config as they are, even when taken', async () => {
    const busy = await occupy();
    const ports = await planPorts({ fixed: { prometheus: busy }, recorded: {}, keep: new Set() });
    expect(ports.prometheus).toBe(busy);
  });

  it('reuses recorded ports while free', async () => {
    const first = await planPorts({ fixed: {}, recorded: {}, keep: new Set() });
    const second = await planPorts({ fixed: {}, recorded: first, keep: new Set() });
    expect(second).toEqual(first);
  });

  it('replaces a recorded port a stranger took, but keeps one our own running component holds', async () => {
    const busy = await occupy();
    const busy2 = await occupy();
    const ports = await planPorts({
      fixed: {},
      recorded: { alertmanager: busy, prometheus: busy2 },
      keep: new Set(['prometheus']),
    });
    expect(ports.alertmanager).not.toBe(busy);
    expect(ports.prometheus).toBe(busy2);
  });

  it('never hands out a fixed port a second time', async () => {
    const first = await planPorts({ fixed: {}, recorded: {}, keep: new Set() });
    const ports = await planPorts({
      fixed: { pushgateway: first.alertmanager },
      recorded: first,
      keep: new Set(),
    });
    expect(ports.pushgateway).toBe(first.alertmanager);
    expect(ports.alertmanager).not.toBe(first.alertmanager);
  });
});
