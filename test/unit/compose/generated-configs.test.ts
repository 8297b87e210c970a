import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { RULE_DEFINITIONS } from '../../../config/alerting/rules.ts';
import { COMPOSE_PORTS, COMPOSE_SLACK_CHANNELS } from '../../../config/build/compose.ts';
import { composeGeneratedFiles } from '../../../config/build/compose-files.ts';
import { REPO_ROOT, run, tempDir } from '../monitoring-config/tools.ts';

const tmp = tempDir('compose-configs');
afterAll(() => tmp.remove());

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const compose = parse(read('docker-compose.yml'));

describe('configs generated for the compose stack', () => {
  it('are these files, all committed and up to date', () => {
    const files = composeGeneratedFiles();
    expect(files.map((f) => f.path)).toEqual([
      'config/prometheus/prometheus.compose.fast.yml',
      'config/alertmanager/alertmanager.compose.fast.yml',
      'config/grafana/alerting/fast/rules.yml',
      'config/grafana/alerting/fast/contact-points.yml',
      'config/grafana/alerting/fast/policies.yml',
      'config/prometheus/prometheus.compose.default.yml',
      'config/alertmanager/alertmanager.compose.default.yml',
      'config/grafana/alerting/default/rules.yml',
      'config/grafana/alerting/default/contact-points.yml',
      'config/grafana/alerting/default/policies.yml',
      'config/grafana/provisioning/datasources/datasources.yml',
      'config/grafana/provisioning/dashboards/firedrill.yml',
      'config/grafana/dashboards/firedrill-probes.json',
      'config/grafana/dashboards/firedrill-drills.json',
      'config/grafana/dashboards/firedrill-app.json',
      'config/logstash/pipeline/app-logs.conf',
      'config/logstash/pipelines.yml',
      'config/logstash/templates/app-logs.json',
    ]);
    for (const f of files) expect(read(f.path), f.path).toBe(f.content);
  });

  describe.each(['fast', 'default'] as const)('profile %s', (profile) => {
    it('the rule file Prometheus loads passes promtool check rules', async () => {
      const result = await run('promtool', [
        'check',
        'rules',
        join(REPO_ROOT, `config/prometheus/rules.${profile}.yml`),
      ]);
      expect(result.stdout, result.stderr).toContain(`SUCCESS: ${RULE_DEFINITIONS.length} rules found`);
    });

    it('prometheus.yml passes promtool check config (with the rule file where the container mounts it)', async () => {
      const config = parse(read(`config/prometheus/prometheus.compose.${profile}.yml`));
      const mounted = compose.services.prometheus.volumes as string[];
      expect(mounted).toContain(
        `./config/prometheus/rules.\${FIREDRILL_PROFILE:-fast}.yml:${config.rule_files[0]}:ro`,
      );
      config.rule_files = [join(REPO_ROOT, `config/prometheus/rules.${profile}.yml`)];
      const result = await run('promtool', [
        'check',
        'config',
        tmp.write(`prometheus.${profile}.yml`, stringify(config)),
      ]);
      expect(result.stdout + result.stderr).toContain('SUCCESS');
      expect(result.code).toBe(0);
    });

    it('scrapes the services by the names and ports compose gives them', () => {
      const config = parse(read(`config/prometheus/prometheus.compose.${profile}.yml`));
      const targets = Object.fromEntries(
        config.scrape_configs.map((s: { job_name: string; static_configs: { targets: string[] }[] }) => [
          s.job_name,
          s.static_configs[0]!.targets[0],
        ]),
      );
      expect(targets).toEqual({
        'demo-app': `demo-app:${COMPOSE_PORTS['demo-app']}`,
        pushgateway: `pushgateway:${COMPOSE_PORTS.pushgateway}`,
        firedrill: `firedrill:${COMPOSE_PORTS.firedrill}`,
        prometheus: `localhost:${COMPOSE_PORTS.prometheus}`,
        alertmanager: `alertmanager:${COMPOSE_PORTS.alertmanager}`,
      });
      expect(compose.services['demo-app'].environment.DEMO_PORT).toBe(String(COMPOSE_PORTS['demo-app']));
      expect(compose.services.firedrill.command.join(' ')).toContain(
        `--host 0.0.0.0 --port ${COMPOSE_PORTS.firedrill}`,
      );
    });

    it('alertmanager.yml passes amtool check-config and routes by severity to the sink', async () => {
      const file = join(REPO_ROOT, `config/alertmanager/alertmanager.compose.${profile}.yml`);
      const checked = await run('amtool', ['check-config', file]);
      expect(checked.stdout + checked.stderr).toContain('SUCCESS');
      for (const [severity, channel] of Object.entries({
        ...COMPOSE_SLACK_CHANNELS,
        info: '#alerts-warning',
      })) {
        const routed = await run('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${file}`,
          `severity=${severity}`,
        ]);
        expect(routed.stdout.trim()).toBe(`slack-am-${channel.slice(1)}`);
      }
      const config = parse(readFileSync(file, 'utf8'));
      for (const r of config.receivers) {
        expect(r.slack_configs[0].api_url).toMatch(
          new RegExp(`^http://slack-sink:${COMPOSE_PORTS['slack-sink']}/hooks/am-alerts-(critical|warning)$`),
        );
      }
    });
  });

  it("the sink knows both Grafana's channels and Alertmanager's from the start", () => {
    const env = compose.services['slack-sink'].environment;
    expect(env.SINK_PORT).toBe(String(COMPOSE_PORTS['slack-sink']));
    const channels = Object.values(COMPOSE_SLACK_CHANNELS).map((c) => c.slice(1));
    expect(env.SINK_CHANNELS.split(',')).toEqual([...channels, ...channels.map((c) => `am-${c}`)]);
    const grafana = compose.services.grafana.environment;
    for (const c of channels) {
      const name = `SLACK_WEBHOOK_${c.toUpperCase().replace(/-/g, '_')}`;
      expect(grafana[name]).toBe(`\${${name}:-http://slack-sink:${COMPOSE_PORTS['slack-sink']}/hooks/${c}}`);
    }
  });
});
