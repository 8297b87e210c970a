import { createAppFault } from './app-fault.ts';
import { createBadTrafficFault } from './bad-traffic.ts';
import { createGrafanaTestNotificationFault } from './grafana-test-notification.ts';
import { createInjectAlertFault } from './inject-alert.ts';
import { createShellFault } from './shell.ts';
import { createToxiproxyFault } from './toxiproxy.ts';
import type { Fault, FaultSpec } from './types.ts';

export { appFault } from './app-fault.ts';
export { badTraffic } from './bad-traffic.ts';
export { grafanaTestNotification } from './grafana-test-notification.ts';
export { injectAlert } from './inject-alert.ts';
export { shell } from './shell.ts';
export { toxiproxy } from './toxiproxy.ts';
export type * from './types.ts';

/** The one list a new fault kind is added to. */
const FACTORIES: { [T in FaultSpec['type']]: (spec: Extract<FaultSpec, { type: T }>) => Fault } = {
  app: createAppFault,
  'bad-traffic': createBadTrafficFault,
  shell: createShellFault,
  toxiproxy: createToxiproxyFault,
  'inject-alert': createInjectAlertFault,
  'grafana-test-notification': createGrafanaTestNotificationFault,
};

/** A fault object for a spec, e.g. one read back from a rollback journal. */
export function createFault(spec: FaultSpec): Fault {
  const factory = FACTORIES[spec.type] as (s: FaultSpec) => Fault;
  if (!factory) throw new Error(`unknown fault type ${JSON.stringify((spec as { type: unknown }).type)}`);
  return factory(spec);
}
