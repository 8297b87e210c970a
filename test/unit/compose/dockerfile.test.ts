import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../monitoring-config/tools.ts';

// Docker cannot build here; what can be known without it is checked: the base image is pinned,
// what the compose services run is in the image, and what they mount is writable by its user.
const dockerfile = readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
const ignore = readFileSync(join(REPO_ROOT, 'docker/Dockerfile.dockerignore'), 'utf8').split('\n');
// merge: the services share their image settings through a YAML merge key (<<: *firedrill).
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const ownImage = Object.entries(
  compose.services as Record<string, { image?: string; command?: string[]; volumes?: string[] }>,
).filter(([, s]) => s.image?.startsWith('firedrill:'));
const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+) (\S+)$/gm)].map((m) => m[1]!);

describe('docker/Dockerfile', () => {
  it('builds on a pinned Node 20 image, the version firedrill runs on', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(dockerfile).toMatch(/apt-get install .*\bchromium\b/);
    expect(dockerfile).toContain('FIREDRILL_CHROMIUM=/usr/bin/chromium');
  });

  it('copies only what exists, and runs as the unprivileged node user', () => {
    for (const source of copied) expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it.each(ownImage.map(([name, s]) => [name, s.command!] as const))(
    '%s: what its command runs is in the image',
    (_name, command) => {
      const script = command.find((arg) => /\.(ts|js)$/.test(arg))!;
      expect(existsSync(join(REPO_ROOT, script)), script).toBe(true);
      expect(
        copied.some((c) => script === c || script.startsWith(`${c}/`)),
        script,
      ).toBe(true);
    },
  );

  it('creates, owned by node, every path a compose volume mounts into the image', () => {
    expect(ownImage.map(([name]) => name)).toEqual([
      'demo-app',
      'slack-sink',
      'kibana-setup',
      'firedrill',
      'grafana-token',
    ]);
    const targets = new Set(ownImage.flatMap(([, s]) => (s.volumes ?? []).map((v) => v.split(':')[1]!)));
    const created = /RUN mkdir -p ([^\n&]+)&& chown -R node:node ([^\n]+)/.exec(
      dockerfile.replace(/\\\n\s*/g, ''),
    );
    expect(created).not.toBeNull();
    for (const t of targets) {
      expect(created![1]!.split(/\s+/), t).toContain(t);
      expect(created![2]!.split(/\s+/), t).toContain(t);
    }
  });

  it('keeps secrets, dependencies and local state out of the build context', () => {
    for (const entry of ['.env', 'node_modules', '.firedrill', '.git']) expect(ignore).toContain(entry);
  });
});
