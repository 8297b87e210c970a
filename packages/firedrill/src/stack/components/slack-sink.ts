import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ComponentDefinition, loopback } from '../component.ts';
import { httpProbe } from '../health.ts';
import { nodeScriptPlan, requireScript } from './node-script.ts';

// Part of the package, wherever it is installed.
export const SLACK_SINK_SCRIPT = fileURLToPath(new URL('../../slack-sink/main.ts', import.meta.url));

export const slackSink: ComponentDefinition = {
  name: 'slack-sink',
  after: [],
  port: 'slack-sink',
  url: (ports) => loopback(ports['slack-sink']),
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  preflight: (ctx) => requireScript(ctx, SLACK_SINK_SCRIPT, 'Slack sink'),
  async prepare(ctx) {
    const dir = ctx.paths.componentDir('slack-sink');
    await mkdir(dir, { recursive: true });
    return nodeScriptPlan(ctx, SLACK_SINK_SCRIPT, {
      SINK_HOST: '127.0.0.1',
      SINK_PORT: String(ctx.ports['slack-sink']),
      // JSON lines: messages survive a restart of the sink.
      SINK_DATA_FILE: path.join(dir, 'messages.jsonl'),
      // The routed channels exist from the start, so a drill's preflight finds them before any alert.
      SINK_CHANNELS: [...new Set(Object.values(ctx.config.stack.slackChannels))].join(','),
    });
  },
  // The sink, like Slack, accepts any non-empty bearer token.
  probe: (ctx) =>
    httpProbe(`${loopback(ctx.ports['slack-sink'])}/api/auth.test`, {
      headers: { authorization: 'Bearer firedrill-local' },
    }),
};
