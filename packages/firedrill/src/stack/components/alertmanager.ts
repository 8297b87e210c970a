import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ComponentDefinition, loopback } from '../component.ts';
import { httpProbe } from '../health.ts';
import { PROGRAMS, requireProgram } from '../programs.ts';
import { StackError } from '../types.ts';
import { urlsFromPorts } from '../urls.ts';

export function alertmanagerArgs(opts: { port: number; configFile: string; dataDir: string }): string[] {
  return [
    `--config.file=${opts.configFile}`,
    `--storage.path=${opts.dataDir}`,
    `--web.listen-address=127.0.0.1:${opts.port}`,
    // The Slack message's links and title use the external URL; the default names the host on :9093.
    `--web.external-url=${loopback(opts.port)}/`,
    // Empty: no gossip cluster. Otherwise it binds 0.0.0.0:9094, which a second stack cannot share.
    '--cluster.listen-address=',
  ];
}

export const alertmanager: ComponentDefinition = {
  name: 'alertmanager',
  // Notifications go to the sink: it must answer before the first one is sent.
  after: ['slack-sink'],
  port: 'alertmanager',
  url: (ports) => loopback(ports.alertmanager),
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  preflight: () => void requireProgram(PROGRAMS.alertmanager),
  async prepare(ctx) {
    const dir = ctx.paths.componentDir('alertmanager');
    await mkdir(path.join(dir, 'data'), { recursive: true });
    const configFile = path.join(dir, 'alertmanager.yml');
    const urls = urlsFromPorts(ctx.ports);
    const render = await ctx.monitoring.alertmanager();
    const config = render({
      profile: ctx.profile,
      slackWebhookUrl: urls.slackWebhookUrl,
      channels: ctx.config.stack.slackChannels,
      firedrillWebhookUrl: urls.firedrillWebhookUrl,
    });
    await writeFile(configFile, config);
    return {
      command: requireProgram(PROGRAMS.alertmanager),
      args: alertmanagerArgs({ port: ctx.ports.alertmanager, configFile, dataDir: path.join(dir, 'data') }),
      env: {},
      cwd: dir,
      identity: `--config.file=${configFile}`,
      configFile,
      configText: config,
    };
  },
  probe: (ctx) => httpProbe(`${loopback(ctx.ports.alertmanager)}/-/ready`),
  async reload(ctx) {
    const res = await fetch(`${loopback(ctx.ports.alertmanager)}/-/reload`, { method: 'POST' });
    if (!res.ok) throw new StackError(`alertmanager: reload failed: HTTP ${res.status} ${await res.text()}`);
  },
};
