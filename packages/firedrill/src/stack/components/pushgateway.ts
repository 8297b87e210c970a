import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type ComponentDefinition, loopback } from '../component.ts';
import { httpProbe } from '../health.ts';
import { PROGRAMS, requireProgram } from '../programs.ts';

export const pushgateway: ComponentDefinition = {
  name: 'pushgateway',
  after: [],
  port: 'pushgateway',
  url: (ports) => loopback(ports.pushgateway),
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  preflight: () => void requireProgram(PROGRAMS.pushgateway),
  async prepare(ctx) {
    const dir = ctx.paths.componentDir('pushgateway');
    await mkdir(dir, { recursive: true });
    const store = path.join(dir, 'metrics.store');
    return {
      command: requireProgram(PROGRAMS.pushgateway),
      args: [
        `--web.listen-address=127.0.0.1:${ctx.ports.pushgateway}`,
        `--persistence.file=${store}`,
        // Tests wipe pushed groups between cases (PUT /api/v1/admin/wipe); loopback only.
        '--web.enable-admin-api',
        '--web.enable-lifecycle',
      ],
      env: {},
      cwd: dir,
      identity: `--persistence.file=${store}`,
      configText: '',
    };
  },
  probe: (ctx) => httpProbe(`${loopback(ctx.ports.pushgateway)}/-/ready`),
};
