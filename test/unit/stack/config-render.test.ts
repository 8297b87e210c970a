import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerArgs } from '../../../packages/firedrill/src/stack/components/alertmanager.ts';
import { renderRsyslogConf } from '../../../packages/firedrill/src/stack/components/log-shipper.ts';
import { renderOpensearchYml } from '../../../packages/firedrill/src/stack/components/opensearch.ts';
import { patchJvmOptions } from '../../../packages/firedrill/src/stack/components/opensearch-jvm.ts';
import {
  prometheusArgs,
  renderPrometheusConfig,
} from '../../../packages/firedrill/src/stack/components/prometheus.ts';
import type { StackPorts } from '../../../packages/firedrill/src/stack/types.ts';

const run = promisify(execFile);

const ports: StackPorts = {
  opensearch: 19201,
  'opensearch-transport': 19301,
  'slack-sink': 19202,
  'demo-app': 19203,
  pushgateway: 19204,
  alertmanager: 19205,
  prometheus: 19206,
  'firedrill-metrics': 19207,
  'firedrill-webhook': 19208,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'firedrill-render-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prometheus.yml', () => {
  it.each([
    ['fast', '1s', '1s', '1s'],
    ['default', '15s', '10s', '15s'],
  ] as const)(
    '%s profile: scrape %s, timeout %s, evaluation %s',
    (profile, interval, timeout, evaluation) => {
      const yml = parse(renderPrometheusConfig({ profile, ports, rulesFile: '/s/rules.yml' }));
      expect(yml.global).toEqual({
        scrape_interval: interval,
        scrape_timeout: timeout,
        evaluation_interval: evaluation,
      });
    },
  );

  it('scrapes every part of the stack and firedrill itself, and alerts the local Alertmanager', () => {
    const yml = parse(renderPrometheusConfig({ profile: 'fast', ports, rulesFile: '/s/rules.yml' }));
    const jobs = Object.fromEntries(
      (yml.scrape_configs as { job_name: string; static_configs: { targets: string[] }[] }[]).map((j) => [
        j.job_name,
        j.static_configs[0]!.targets,
      ]),
    );
    expect(jobs).toEqual({
      'demo-app': ['127.0.0.1:19203'],
      pushgateway: ['127.0.0.1:19204'],
      firedrill: ['127.0.0.1:19207'],
      prometheus: ['127.0.0.1:19206'],
      alertmanager: ['127.0.0.1:19205'],
    });
    expect(
      yml.scrape_configs.find((j: { job_name: string }) => j.job_name === 'pushgateway').honor_labels,
    ).toBe(true);
    expect(yml.rule_files).toEqual(['/s/rules.yml']);
    expect(yml.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:19205']);
  });

  it.each(['fast', 'default'] as const)('%s profile passes promtool check config', async (profile) => {
    const rulesFile = path.join(dir, `rules-${profile}.yml`);
    await writeFile(rulesFile, 'groups: []\n');
    const file = path.join(dir, `prometheus-${profile}.yml`);
    await writeFile(file, renderPrometheusConfig({ profile, ports, rulesFile }));
    await expect(run('promtool', ['check', 'config', file])).resolves.toBeDefined();
  });

  it('flags: loopback listen, lifecycle, remote-write receiver, storage in the state dir', () => {
    expect(prometheusArgs({ port: 19206, configFile: '/s/p.yml', dataDir: '/s/data' })).toEqual([
      '--config.file=/s/p.yml',
      '--storage.tsdb.path=/s/data',
      '--web.listen-address=127.0.0.1:19206',
      '--web.external-url=http://127.0.0.1:19206/',
      '--web.enable-lifecycle',
      '--web.enable-remote-write-receiver',
      '--web.enable-admin-api',
    ]);
  });
});

describe('alertmanager flags', () => {
  it('listens on loopback, keeps storage in the state dir and turns gossip off', () => {
    const args = alertmanagerArgs({ port: 19205, configFile: '/s/am.yml', dataDir: '/s/am' });
    expect(args).toContain('--web.listen-address=127.0.0.1:19205');
    expect(args).toContain('--storage.path=/s/am');
    expect(args).toContain('--config.file=/s/am.yml');
    // One argument with an empty value: `--cluster.listen-address ''` would also work, a missing flag would not.
    expect(args).toContain('--cluster.listen-address=');
  });
});

describe('rsyslog.conf', () => {
  const conf = () =>
    renderRsyslogConf({
      workDir: path.join(dir, 'work'),
      logFile: path.join(dir, 'app.jsonl'),
      esPort: 19201,
      errorFile: path.join(dir, 'rejected.json'),
    });

  it('loads only imfile and omelasticsearch (the machine keeps /dev/log)', () => {
    const modules = [...conf().matchAll(/module\(load="([^"]+)"/g)].map((m) => m[1]);
    expect(modules).toEqual(['imfile', 'omelasticsearch']);
  });

  it('ships the line verbatim in bulk, without _type, into daily app-logs indices', () => {
    const text = conf();
    expect(text).toContain('string="%msg%"');
    expect(text).toMatch(/string="app-logs-%timegenerated:1:4:date-rfc3339,date-utc%\.%timegenerated:6:7/);
    expect(text).toContain('bulkmode="on"');
    expect(text).toContain('esVersion.major="8"');
    expect(text).toContain('dynSearchIndex="on"');
    expect(text).toContain('serverport="19201"');
    expect(text).toContain('readMode="0"');
  });

  it('passes rsyslogd -N1', async () => {
    const file = path.join(dir, 'rsyslog.conf');
    await mkdir(path.join(dir, 'work'));
    await writeFile(file, conf());
    const { stderr } = await run('rsyslogd', ['-N1', '-f', file]);
    expect(stderr).not.toMatch(/error/i);
  });
});

describe('opensearch config', () => {
  it('single node on loopback, ports and paths from the state dir, no disk watermarks', () => {
    const yml = parse(
      renderOpensearchYml({ httpPort: 19201, transportPort: 19301, dataDir: '/s/d', logsDir: '/s/l' }),
    );
    expect(yml).toMatchObject({
      'discovery.type': 'single-node',
      'network.host': '127.0.0.1',
      'http.port': 19201,
      'transport.port': 19301,
      'path.data': '/s/d',
      'path.logs': '/s/l',
      'cluster.routing.allocation.disk.threshold_enabled': false,
    });
  });

  it('jvm.options: heap from config, the serial collector, relative paths made absolute', () => {
    const dist = [
      '-Xms1g',
      '-Xmx1g',
      '8-10:-XX:+UseConcMarkSweepGC',
      '8-10:-XX:CMSInitiatingOccupancyFraction=75',
      '11-:-XX:+UseG1GC',
      '11-:-XX:G1ReservePercent=25',
      '11-:-XX:InitiatingHeapOccupancyPercent=30',
      '-XX:HeapDumpPath=data',
      '-XX:ErrorFile=logs/hs_err_pid%p.log',
      '9-:-Xlog:gc*,gc+age=trace,safepoint:file=logs/gc.log:utctime,pid,tags:filecount=32,filesize=64m',
      '8:-Xloggc:logs/gc.log',
    ].join('\n');
    expect(patchJvmOptions(dist, { heapMb: 512, dataDir: '/s/d', logsDir: '/s/l' }).split('\n')).toEqual([
      '-Xms512m',
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:HeapDumpPath=/s/d',
      '-XX:ErrorFile=/s/l/hs_err_pid%p.log',
      '9-:-Xlog:gc*,gc+age=trace,safepoint:file=/s/l/gc.log:utctime,pid,tags:filecount=32,filesize=64m',
      '8:-Xloggc:/s/l/gc.log',
    ]);
  });
});
