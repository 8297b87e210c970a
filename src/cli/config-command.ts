import type { Command } from 'commander';

export function registerConfigCommands(program: Command): void {
  const config = program
    .command('config')
    .description('the monitoring config generated from code: rules, routing, Grafana, Logstash, compose');

  config
    .command('build')
    .description(
      'write the generated files (Prometheus rules and tests, Alertmanager, Grafana provisioning and dashboards, Logstash pipeline, log schemas)',
    )
    .option('--check', 'write nothing; exit 1 naming every file that is stale or missing')
    .action(async (opts: { check?: boolean }) => {
      // Imported on use: the generator loads every dashboard and rule module, which no other
      // command needs.
      const { main } = await import('../monitoring-config/build.ts');
      process.exitCode = main(opts.check ? ['--check'] : []);
    });
}
