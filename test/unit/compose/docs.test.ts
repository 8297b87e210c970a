import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HOST_PORTS } from '../../../config/build/compose.ts';
import { REPO_ROOT } from '../monitoring-config/tools.ts';

const docs = readFileSync(join(REPO_ROOT, 'docs/docker.md'), 'utf8');
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });

describe('docs/docker.md', () => {
  it('lists the ports docker-compose.yml publishes, service by service', () => {
    const rows = [...docs.matchAll(/^\|\s*`([\w-]+)`\s*\|\s*http:\/\/127\.0\.0\.1:(\d+)\s*\|/gm)];
    const listed: Record<string, number[]> = {};
    for (const [, service, port] of rows) listed[service!] = [...(listed[service!] ?? []), Number(port)];
    expect(listed).toEqual(HOST_PORTS);
  });

  it('walks a newcomer through start, probes, drills and load, with commands that exist', () => {
    for (const step of [
      'cp .env.example .env',
      'docker compose up -d',
      'set -a; . ./.env; set +a',
      'export FIREDRILL_GRAFANA_TOKEN=$(docker compose run --rm grafana-token)',
      'firedrill probe --env compose',
      'firedrill drill --env compose',
      'docker compose --profile load run --rm k6 run /scenarios/smoke.ts',
    ])
      expect(docs).toContain(step);
    for (const [, scenario] of docs.matchAll(/\/scenarios\/([\w-]+\.ts)/g))
      expect(existsSync(join(REPO_ROOT, 'scenarios', scenario!)), scenario).toBe(true);
    expect(compose.services.k6.volumes).toContain('./scenarios:/scenarios:ro');
  });

  it('names the image versions the file pins', () => {
    const versions = Object.values(compose.services as Record<string, { image: string }>)
      .map((s) => s.image)
      .filter((i) => !i.startsWith('firedrill:'))
      .map((i) => i.split(':')[1]!.replace(/^v/, ''));
    for (const v of versions) expect(docs, v).toContain(v);
  });

  it('says plainly what was verified statically and what needs a Docker host', () => {
    expect(docs).toContain('### What is verified, and what needs a Docker host');
    expect(docs).toMatch(/Not verified here/);
  });
});
