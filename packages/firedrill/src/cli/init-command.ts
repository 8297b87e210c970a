import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  configTemplate,
  drillTemplate,
  envExampleTemplate,
  GITIGNORE_LINES,
  type InitAnswers,
  probeTemplate,
  tsconfigTemplate,
  workflowTemplate,
} from './init-templates.ts';

interface InitOptions {
  dir: string;
  yes?: boolean;
  envName: string;
  baseUrl?: string;
  prometheus?: string;
  alertmanager?: string;
  pushgateway?: string;
  elasticsearch?: string;
  slackChannel?: string;
  severity: string;
  allowFaults?: boolean;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'scaffold firedrill in this project: config, a probe, a routing drill, .env.example, a CI workflow (never overwrites)',
    )
    .option('--dir <path>', 'project folder', '.')
    .option('-y, --yes', 'ask nothing: take the flags, and placeholders for what they leave out')
    .option('--env-name <name>', 'the environment to create', 'staging')
    .option('--base-url <url>', 'the app under test')
    .option('--prometheus <url>', 'Prometheus (or Mimir, Thanos, VictoriaMetrics)')
    .option('--alertmanager <url>', 'Alertmanager')
    .option('--pushgateway <url>', 'Pushgateway, for `probe --push`')
    .option('--elasticsearch <url>', 'Elasticsearch or OpenSearch with the app’s logs')
    .option('--slack-channel <channel>', 'where the routing drill expects its alert', '#alerts')
    .option('--severity <label>', 'severity label of the routing drill’s alert', 'critical')
    .option('--allow-faults', 'let drills inject faults in this environment')
    .action(async (opts: InitOptions) => {
      process.exitCode = await initAction(opts);
    });
}

const ENV_NAME = /^[a-z][a-z0-9_]*$/;

async function answers(opts: InitOptions): Promise<InitAnswers> {
  const given: InitAnswers = {
    envName: opts.envName,
    baseUrl: opts.baseUrl ?? 'http://localhost:8080',
    prometheus: opts.prometheus,
    alertmanager: opts.alertmanager,
    pushgateway: opts.pushgateway,
    elasticsearch: opts.elasticsearch,
    slackChannel: opts.slackChannel ?? '#alerts',
    severity: opts.severity,
    allowFaults: opts.allowFaults === true,
  };
  if (opts.yes || !process.stdin.isTTY) return given;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const ask = async (question: string, current: string | undefined) => {
    const a = (await rl.question(`${question}${current ? ` [${current}]` : ''}: `)).trim();
    return a || current;
  };
  try {
    return {
      ...given,
      baseUrl: (await ask('Base URL of the app', opts.baseUrl ?? given.baseUrl))!,
      prometheus: await ask('Prometheus URL (empty: none)', given.prometheus),
      alertmanager: await ask('Alertmanager URL (empty: none)', given.alertmanager),
      elasticsearch: await ask('Log store (Elasticsearch/OpenSearch) URL (empty: none)', given.elasticsearch),
      slackChannel: (await ask('Slack channel for the routing drill', given.slackChannel))!,
    };
  } finally {
    rl.close();
  }
}

function checkUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return undefined;
  } catch {}
  return `--${name}: expected an http(s) URL, got ${JSON.stringify(value)}`;
}

async function initAction(opts: InitOptions): Promise<number> {
  const a = await answers(opts);
  const problems = [
    ENV_NAME.test(a.envName)
      ? undefined
      : `--env-name: expected a name like staging, got ${JSON.stringify(a.envName)}`,
    checkUrl('base-url', a.baseUrl),
    checkUrl('prometheus', a.prometheus),
    checkUrl('alertmanager', a.alertmanager),
    checkUrl('pushgateway', a.pushgateway),
    checkUrl('elasticsearch', a.elasticsearch),
    /^#[a-z0-9._-]+$/.test(a.slackChannel)
      ? undefined
      : `--slack-channel: expected a channel like #alerts, got ${JSON.stringify(a.slackChannel)}`,
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    process.stderr.write(`firedrill init: nothing written\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 2;
  }

  const root = path.resolve(opts.dir);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const files: Array<[string, string]> = [
    ['firedrill.config.ts', configTemplate(a)],
    ['probes/health.probe.ts', probeTemplate()],
    ['alert-tests/alert-routing.drill.ts', drillTemplate(a)],
    ['.env.example', envExampleTemplate(a)],
    ['.github/workflows/firedrill.yml', workflowTemplate()],
    ['tsconfig.json', tsconfigTemplate()],
  ];
  // A config under config/ is found too: a project that has one keeps it.
  const existingConfig = ['firedrill.config.ts', 'config/firedrill.config.ts'].find((f) =>
    existsSync(path.join(root, f)),
  );
  let created = 0;
  for (const [rel, text] of files) {
    const file = path.join(root, rel);
    const kept = rel === 'firedrill.config.ts' ? existingConfig : existsSync(file) ? rel : undefined;
    if (kept) {
      out(`  kept     ${kept} (exists)`);
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: 'wx' });
    out(`  created  ${rel}`);
    created++;
  }
  const gitignore = path.join(root, '.gitignore');
  const had = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const lines = new Set(had.split('\n').map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((l) => !lines.has(l));
  if (missing.length > 0) {
    const sep = had === '' || had.endsWith('\n') ? '' : '\n';
    writeFileSync(gitignore, `${had}${sep}${had ? '\n' : ''}# firedrill\n${missing.join('\n')}\n`);
    out(`  ${had ? 'updated ' : 'created '} .gitignore (${missing.join(', ')})`);
    created++;
  } else {
    out('  kept     .gitignore (has firedrill’s lines)');
  }
  out(created === 0 ? '\nNothing to do: firedrill is set up here.' : '');
  out(`Next:
  1. cp .env.example .env, and fill in the URLs and secrets (CI: the same names as secrets)
  2. npx firedrill probe --env-file .env          the probes, as the CI gate runs them
  3. npx firedrill drill --list                   then: npx firedrill drill --env-file .env`);
  return 0;
}
