import pc from 'picocolors';
import { type ComponentStatus, type StackState, stackUrls } from '../stack/index.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => stripAnsi(r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell + ' '.repeat(widths[i]! - stripAnsi(cell).length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour codes is the point
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}

const secs = (ms?: number) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

export function printStackTable(state: StackState, out: NodeJS.WritableStream = process.stdout): void {
  const up = state.lastUp;
  const rows = [[pc.bold('component'), pc.bold('pid'), pc.bold('url'), pc.bold('ready in'), pc.bold('')]];
  for (const [name, c] of Object.entries(state.components)) {
    if (!c) continue;
    const how = up?.reused.includes(name as never)
      ? pc.dim('reused')
      : up?.reloaded.includes(name as never)
        ? 'reloaded'
        : 'started';
    rows.push([name, String(c.pid), c.url ?? pc.dim('(no port)'), secs(c.readyMs), how]);
  }
  const urls = stackUrls(state);
  out.write(`${table(rows)}\n\n`);
  out.write(`demo app      ${urls.baseUrl}\n`);
  out.write(`slack sink    ${urls.slackApiUrl}/conversations.history\n`);
  out.write(`state         ${state.stateDir}\n`);
  if (up) out.write(pc.green(`stack up in ${secs(up.durationMs)}\n`));
}

export function printStatusTable(
  status: ComponentStatus[],
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (status.length === 0) {
    out.write('no local stack recorded: run `firedrill stack up`\n');
    return;
  }
  const rows = [
    [
      pc.bold('component'),
      pc.bold('health'),
      pc.bold('pid'),
      pc.bold('url'),
      pc.bold('uptime'),
      pc.bold('detail'),
    ],
  ];
  for (const s of status) {
    const health = s.healthy ? pc.green('healthy') : s.running ? pc.yellow('unhealthy') : pc.red('down');
    rows.push([
      s.component,
      health,
      s.pid ? String(s.pid) : '',
      s.url ?? '',
      secs(s.uptimeMs),
      s.detail ?? '',
    ]);
  }
  out.write(`${table(rows)}\n`);
}
