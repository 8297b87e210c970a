import { type AppOptions, createApp } from '../../../../demo-app/src/app.ts';

export interface RunningDemoApp {
  url: string;
  /** Injects a fault through the app's guarded endpoint. */
  fault(spec: Record<string, unknown>): Promise<void>;
  /** Rolls back every fault (`DELETE /__faults`). */
  clearFaults(): Promise<void>;
  close(): Promise<void>;
}

export const FAULT_TOKEN = 'browser-test-token';

/** The real reference app on a free loopback port, quiet (its logs would drown vitest's output). */
export async function startDemoApp(options: AppOptions = {}): Promise<RunningDemoApp> {
  const demo = await createApp({ port: 0, logToStdout: false, faultToken: FAULT_TOKEN, ...options });
  const url = await demo.listen();
  return {
    url,
    fault: async (spec) => {
      const res = await fetch(`${url}/__faults`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAULT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(spec),
      });
      if (!res.ok) throw new Error(`fault ${JSON.stringify(spec)}: ${res.status} ${await res.text()}`);
    },
    clearFaults: async () => {
      const res = await fetch(`${url}/__faults`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${FAULT_TOKEN}` },
      });
      if (!res.ok) throw new Error(`clearing faults: ${res.status} ${await res.text()}`);
    },
    close: () => demo.close(),
  };
}
