import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_PORTS, HOST_PORTS } from '../../../config/build/compose.ts';
import { REPO_ROOT, run, tempDir } from '../monitoring-config/tools.ts';

const RAW = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const ENV_EXAMPLE = join(REPO_ROOT, '.env.example');

interface Service {
  image?: string;
  build?: unknown;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  /** docker-compose 1.29 prints the short syntax: `127.0.0.1:9090:9090/tcp`. */
  ports?: string[];
  /** `source:target[:mode]`; an absolute source is a bind mount, any other a named volume. */
  volumes?: string[];
  profiles?: string[];
  restart?: string;
  environment?: Record<string, string>;
  command?: string[];
}

/** Ran once: the file as docker-compose resolves it, with .env.example as its env file. */
let resolved: { services: Record<string, Service>; volumes: Record<string, unknown> };

/** One-shot services: they exit when done, so a health check would never be healthy. */
const ONE_SHOT = ['kibana-setup', 'k6', 'grafana-token'];

function composeConfig(envFile: string, env: Record<string, string> = {}) {
  // A clean environment: the result must depend on the env file alone, not on this shell.
  return run('env', [
    '-i',
    `PATH=${process.env.PATH}`,
    `HOME=${process.env.HOME}`,
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    'docker-compose',
    '-f',
    join(REPO_ROOT, 'docker-compose.yml'),
    '--env-file',
    envFile,
    'config',
  ]);
}

beforeAll(async () => {
  const result = await composeConfig(ENV_EXAMPLE);
  expect(result.stderr).toBe('');
  resolved = parse(result.stdout);
});

describe('docker-compose.yml', () => {
  it('passes `docker-compose config -q` with .env.example as its env file', async () => {
    const result = await run(
      'docker-compose',
      ['-f', 'docker-compose.yml', '--env-file', '.env.example', 'config', '-q'],
      REPO_ROOT,
    );
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('refuses to start without the secrets .env provides, naming what to do', async () => {
    const empty = tempDir('compose-env');
    try {
      const result = await composeConfig(empty.write('.env', ''));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('set it in .env (cp .env.example .env)');
    } finally {
      empty.remove();
    }
  });

  it('has every service of the stack', () => {
    expect(Object.keys(resolved.services).sort()).toEqual(
      [...Object.keys(COMPOSE_PORTS), ...ONE_SHOT].sort(),
    );
  });

  it('pins every image to a version: no latest, no bare name (or builds it from the repo)', () => {
    for (const [name, s] of Object.entries(resolved.services)) {
      expect(s.image, name).toMatch(/^[\w./-]+:(v?\d+\.\d+\.\d+)(@sha256:[a-f0-9]{64})?$/);
      if (s.image!.startsWith('firedrill:')) expect(s.build, name).toBeDefined();
    }
    const elastic = Object.values(resolved.services)
      .map((s) => s.image!)
      .filter((i) => i.startsWith('docker.elastic.co/'));
    expect(elastic).toHaveLength(3);
    // Kibana and Logstash refuse an Elasticsearch of another version.
    expect(new Set(elastic.map((i) => i.split(':')[1])).size).toBe(1);
  });

  it('gives every long-running service a health check, and one-shot ones none', () => {
    for (const [name, s] of Object.entries(resolved.services)) {
      if (ONE_SHOT.includes(name)) {
        expect(s.healthcheck, name).toBeUndefined();
        expect(s.restart ?? 'no', name).toBe('no');
      } else {
        expect(s.healthcheck?.test?.length, name).toBeGreaterThan(1);
        expect(s.restart, name).toBe('unless-stopped');
      }
    }
  });

  it('waits for dependencies to be healthy, never just started', () => {
    for (const [name, s] of Object.entries(resolved.services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(`${name} → ${dep}: ${condition}`).toBe(`${name} → ${dep}: service_healthy`);
        expect(ONE_SHOT, `${name} waits on one-shot ${dep}`).not.toContain(dep);
      }
    }
  });

  it('keeps data in named volumes and mounts only files that exist, for both profiles', async () => {
    for (const profile of ['fast', 'default']) {
      const env = tempDir('compose-profile');
      try {
        const file = env.write(
          '.env',
          `${readFileSync(ENV_EXAMPLE, 'utf8')}\nFIREDRILL_PROFILE=${profile}\n`,
        );
        const { services } = parse((await composeConfig(file)).stdout) as typeof resolved;
        for (const [name, s] of Object.entries(services)) {
          for (const v of s.volumes ?? []) {
            const [source, target] = v.split(':') as [string, string];
            expect(target, `${name}: ${v}`).toMatch(/^\//);
            if (source.startsWith('/')) expect(existsSync(source), `${name}: ${source}`).toBe(true);
            else expect(Object.keys(resolved.volumes), `${name}: ${v}`).toContain(source);
          }
        }
        expect(services.prometheus!.volumes).toContain(
          `${join(REPO_ROOT, `config/prometheus/rules.${profile}.yml`)}:/etc/prometheus/rules.yml:ro`,
        );
      } finally {
        env.remove();
      }
    }
  });

  it('publishes the ports docs/docker.md names, on 127.0.0.1 only', () => {
    const published: Record<string, number[]> = {};
    for (const [name, s] of Object.entries(resolved.services)) {
      for (const p of s.ports ?? []) {
        const [ip, host] = p.split(':');
        expect(ip, `${name}: ${p}`).toBe('127.0.0.1');
        published[name] = [...(published[name] ?? []), Number(host)];
      }
    }
    expect(published).toEqual(HOST_PORTS);
  });

  it('health checks probe the port each service listens on', () => {
    for (const [name, port] of Object.entries(COMPOSE_PORTS)) {
      const probe = resolved.services[name]!.healthcheck!.test.join(' ');
      // The demo app is checked through its gateway, so one check covers both.
      const want = name === 'demo-app' ? HOST_PORTS['demo-app']![0] : port;
      expect(probe, name).toContain(`127.0.0.1:${want}/`);
    }
  });

  it('holds no secrets: every secret-looking setting comes from the environment', () => {
    expect(RAW).not.toMatch(/hooks\.slack\.com|xox[abp]-|glsa_/);
    for (const match of RAW.matchAll(/^\s+(\w*(PASSWORD|TOKEN|SECRET|WEBHOOK)\w*):\s*(.*)$/gim)) {
      expect(match[3], match[1]).toMatch(/^\$\{\w+(:[?-][^}]*)?\}$/);
    }
  });

  it('.env.example names every variable the file reads, and no real secret', () => {
    const example = readFileSync(ENV_EXAMPLE, 'utf8');
    const listed = new Set([...example.matchAll(/^(\w+)=/gm)].map((m) => m[1]!));
    const used = new Set([...RAW.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    for (const v of used) expect(listed, v).toContain(v);
    for (const v of [
      'SLACK_WEBHOOK_ALERTS_CRITICAL',
      'SLACK_BOT_TOKEN',
      'GRAFANA_ADMIN_PASSWORD',
      'FIREDRILL_GRAFANA_TOKEN',
    ])
      expect(listed, v).toContain(v);
    expect(example).not.toMatch(/hooks\.slack\.com\/services\/T|xox[abp]-\d|glsa_/);
  });
});
