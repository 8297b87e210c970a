import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type ComponentDefinition, loopback } from '../component.ts';
import { httpProbe } from '../health.ts';
import { nodeScriptPlan, requireScript } from './node-script.ts';

export const DEMO_APP_SCRIPT = 'demo-app/src/main.ts';

export const demoApp: ComponentDefinition = {
  name: 'demo-app',
  after: [],
  port: 'demo-app',
  url: (ports) => loopback(ports['demo-app']),
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  preflight: (ctx) => requireScript(ctx, DEMO_APP_SCRIPT, 'demo app'),
  async prepare(ctx) {
    const dir = ctx.paths.componentDir('demo-app');
    await mkdir(path.join(dir, 'data'), { recursive: true });
    const faultToken = ctx.config.environments.local?.faultToken;
    return nodeScriptPlan(ctx, DEMO_APP_SCRIPT, {
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(ctx.ports['demo-app']),
      DEMO_DB: path.join(dir, 'demo.db'),
      DEMO_DATA_DIR: path.join(dir, 'data'),
      // JSON lines, tailed by the log shipper into OpenSearch.
      DEMO_LOG_FILE: ctx.paths.demoLogFile,
      DEMO_ENV: 'local',
      ...(faultToken ? { DEMO_FAULT_TOKEN: faultToken } : {}),
    });
  },
  probe: (ctx) => httpProbe(`${loopback(ctx.ports['demo-app'])}/readyz`),
};
