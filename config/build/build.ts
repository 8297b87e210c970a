/**
 * Writes the monitoring config that is generated from code, or with `--check` reports (exit 1)
 * which committed files are stale or missing.
 *
 *   npm run config:build [-- --check]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { reportJsonSchemas } from '../../packages/firedrill/src/core/report-schema.ts';
import { LOG_SCHEMAS } from '../../packages/firedrill/src/log-schemas/builtin.ts';
import { renderAlertmanagerConfig } from '../alerting/alertmanager.ts';
import { DEFAULT_RULE_TESTS } from '../alerting/rule-tests.default.ts';
import { FAST_RULE_TESTS } from '../alerting/rule-tests.fast.ts';
import { PROFILES, renderPrometheusRules } from '../alerting/rules.ts';
import { composeGeneratedFiles } from './compose-files.ts';
import { renderRuleTests } from './promtool-tests.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

const EXAMPLE_HEADER =
  '# Example only: replace the placeholder URLs. `firedrill stack up` renders the real one with\n' +
  '# renderAlertmanagerConfig() from the stack settings in config/firedrill.config.ts.\n';

export function generatedFiles(): GeneratedFile[] {
  const files: GeneratedFile[] = PROFILES.map((profile) => ({
    path: `config/prometheus/rules.${profile}.yml`,
    content: renderPrometheusRules(profile),
  }));
  for (const suite of [FAST_RULE_TESTS, DEFAULT_RULE_TESTS]) {
    files.push({
      path: `config/prometheus/tests/rules.${suite.profile}.test.yml`,
      content: renderRuleTests(suite, `../rules.${suite.profile}.yml`),
    });
  }
  files.push({
    path: 'config/alertmanager/alertmanager.example.yml',
    content:
      EXAMPLE_HEADER +
      renderAlertmanagerConfig({
        profile: 'default',
        channels: { critical: '#alerts-critical', warning: '#alerts-warning' },
        slackWebhookUrl: (channel) => `https://hooks.slack.com/services/REPLACE/ME/${channel.slice(1)}`,
        firedrillWebhookUrl: 'http://firedrill.invalid:9797/webhooks/alertmanager',
      }),
  });
  for (const [name, schema] of Object.entries(LOG_SCHEMAS)) {
    files.push({
      path: `config/schemas/${name}-log.schema.json`,
      content: `${JSON.stringify(schema, null, 2)}\n`,
    });
  }
  // Published with the package: what the json reporter and results.jsonl lines conform to.
  for (const [name, schema] of Object.entries(reportJsonSchemas())) {
    files.push({
      path: `packages/firedrill/schema/${name}.schema.json`,
      content: `${JSON.stringify(schema, null, 2)}\n`,
    });
  }
  files.push(...composeGeneratedFiles());
  return files;
}

/** Paths (relative) whose file under `root` is missing or differs from what the code renders. */
export function staleFiles(root: string, files: GeneratedFile[] = generatedFiles()): string[] {
  return files
    .filter((f) => {
      const path = join(root, f.path);
      return !existsSync(path) || readFileSync(path, 'utf8') !== f.content;
    })
    .map((f) => f.path);
}

/** Writes the files that changed; returns their paths. */
export function writeGeneratedFiles(root: string, files: GeneratedFile[] = generatedFiles()): string[] {
  const changed = staleFiles(root, files);
  for (const file of files.filter((f) => changed.includes(f.path))) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  return changed;
}

export function main(args: string[], root = REPO_ROOT): number {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument ${JSON.stringify(unknown[0])}\nusage: build.ts [--check]`);
    return 2;
  }
  if (args.includes('--check')) {
    const stale = staleFiles(root);
    if (stale.length === 0) {
      console.log(`monitoring config: ${generatedFiles().length} generated files up to date`);
      return 0;
    }
    for (const path of stale) console.error(`stale: ${path}`);
    console.error('regenerate with: npm run config:build');
    return 1;
  }
  const written = writeGeneratedFiles(root);
  for (const path of written) console.log(`wrote ${path}`);
  if (written.length === 0) console.log('monitoring config: nothing to write');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
