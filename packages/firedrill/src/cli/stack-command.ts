import type { Command } from 'commander';
import { STACK_COMPONENTS, type StackComponent } from '../config/schema.ts';
import { SetupError } from '../core/errors.ts';
import { commandContext } from './program.ts';

function parseComponents(names: string[]): StackComponent[] | undefined {
  if (names.length === 0) return undefined;
  const unknown = names.filter((n) => !(STACK_COMPONENTS as readonly string[]).includes(n));
  if (unknown.length) {
    throw new SetupError(
      `unknown stack component ${unknown.join(', ')} (have: ${STACK_COMPONENTS.join(', ')})`,
    );
  }
  return names as StackComponent[];
}

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description(
      'the embedded local stack: Prometheus, Alertmanager, Pushgateway, OpenSearch + rsyslog, Slack sink, demo app',
    );

  stack
    .command('up')
    .description('start the stack (reuses what already runs) and print where each part listens')
    .argument('[components...]', `some of: ${STACK_COMPONENTS.join(', ')}`)
    .option('--json', 'print the state as JSON')
    .action(async (names: string[], opts: { json?: boolean }, cmd: Command) => {
      const { config, root, logger } = await commandContext(cmd);
      const { stackUp, stackUrls } = await import('../stack/index.ts');
      const components = parseComponents(names);
      const state = await stackUp({ config, root, logger, ...(components ? { components } : {}) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...state, urls: stackUrls(state) }, null, 2)}\n`);
        return;
      }
      const { printStackTable } = await import('./stack-table.ts');
      printStackTable(state);
    });

  stack
    .command('down')
    .description('stop exactly the processes `stack up` started')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, root, logger } = await commandContext(cmd);
      const { stackDown } = await import('../stack/index.ts');
      await stackDown({ config, root, logger });
    });

  stack
    .command('status')
    .description("each component's health, pid and URL; exits 1 when any is down")
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { config, root } = await commandContext(cmd);
      const { stackStatus } = await import('../stack/index.ts');
      const status = await stackStatus({ config, root });
      if (opts.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else {
        const { printStatusTable } = await import('./stack-table.ts');
        printStatusTable(status);
      }
      if (status.length === 0 || status.some((s) => !s.healthy)) process.exitCode = 1;
    });

  stack
    .command('logs')
    .description("print a component's log")
    .argument('<component>', STACK_COMPONENTS.join(' | '))
    .option('-n, --lines <n>', 'last N lines', (v) => Number.parseInt(v, 10), 50)
    .option('-f, --follow', 'keep printing new lines')
    .action(async (name: string, opts: { lines: number; follow?: boolean }, cmd: Command) => {
      const { config, root } = await commandContext(cmd);
      const [component] = parseComponents([name]) ?? [];
      const { stackLogs } = await import('../stack/index.ts');
      await stackLogs({
        config,
        root,
        component: component!,
        lines: opts.lines,
        follow: opts.follow === true,
      });
    });
}
