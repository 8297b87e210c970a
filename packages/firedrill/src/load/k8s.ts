import { stringify } from 'yaml';
import { K6_DOCKER_IMAGE } from './find-k6.ts';
import { PROMETHEUS_TREND_STATS } from './run.ts';

/**
 * k6-operator `TestRun` (k6.io/v1alpha1) for a scenario, with the script in a ConfigMap. The
 * script is an esbuild bundle: a ConfigMap volume is flat, so `lib/*.ts` imports could not
 * resolve next to it, and one JS file runs on any k6 image. Credentials come from a Secret the
 * cluster already has; nothing secret is written into the manifest.
 */
export interface TestRunOptions {
  /** Scenario name: names the objects and the script file. */
  scenario: string;
  /** The bundled scenario (see `bundleScenario`). */
  script: string;
  /** k6 runner pods; the operator splits the scenario's VUs and rates between them. */
  parallelism: number;
  baseUrl: string;
  runId: string;
  profile?: string;
  namespace?: string;
  /** @defaultValue the k6 version `scripts/install-k6.sh` pins */
  image?: string;
  /** Remote-write endpoint base (Prometheus); runners stream metrics there when set. */
  prometheusUrl?: string;
  /** Secret with `username` and `password` keys, read into FIREDRILL_USERNAME/PASSWORD. */
  credentialsSecret?: string;
  location?: string;
}

export interface TestRunManifest {
  objects: [ConfigMapObject, TestRunObject];
  yaml: string;
  /** Things that will not work as written, e.g. a loopback URL a pod cannot reach. */
  warnings: string[];
}

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data: Record<string, string>;
}

export interface TestRunObject {
  apiVersion: 'k6.io/v1alpha1';
  kind: 'TestRun';
  metadata: ObjectMeta;
  spec: {
    parallelism: number;
    script: { configMap: { name: string; file: string } };
    arguments?: string;
    initializer: { image: string };
    runner: {
      image: string;
      metadata: { labels: Record<string, string> };
      env: EnvVar[];
    };
  };
}

interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string; optional?: boolean } } };

// ConfigMaps hold at most 1 MiB; leave room for metadata.
const MAX_SCRIPT_BYTES = 1_000_000;

/** A DNS-1123 label: lowercase alphanumerics and `-`, at most 63, starting and ending alphanumeric. */
export function dnsLabel(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return label || 'firedrill';
}

const LOOPBACK = /^https?:\/\/(localhost|127(?:\.\d+){3}|\[::1\])(?::\d+)?(\/|$)/i;

export function testRunManifest(opts: TestRunOptions): TestRunManifest {
  if (!Number.isInteger(opts.parallelism) || opts.parallelism < 1) {
    throw new RangeError(`parallelism: expected a whole number ≥ 1, got ${opts.parallelism}`);
  }
  const name = dnsLabel(`firedrill-${opts.scenario}${opts.profile ? `-${opts.profile}` : ''}`);
  const file = `${dnsLabel(opts.scenario)}.js`;
  const labels = {
    'app.kubernetes.io/managed-by': 'firedrill',
    'app.kubernetes.io/component': 'load',
    'firedrill.dev/scenario': dnsLabel(opts.scenario),
    'firedrill.dev/run-id': dnsLabel(opts.runId),
  };
  const meta = (): ObjectMeta => ({ name, ...(opts.namespace ? { namespace: opts.namespace } : {}), labels });

  const warnings: string[] = [];
  if (LOOPBACK.test(opts.baseUrl)) {
    warnings.push(
      `BASE_URL ${opts.baseUrl} is a loopback address: runner pods cannot reach it; use an environment with a routable baseUrl`,
    );
  }
  if (opts.prometheusUrl && LOOPBACK.test(opts.prometheusUrl)) {
    warnings.push(
      `Prometheus ${opts.prometheusUrl} is a loopback address: runner pods cannot push metrics to it`,
    );
  }
  const bytes = Buffer.byteLength(opts.script);
  if (bytes > MAX_SCRIPT_BYTES) {
    throw new RangeError(`the bundled script is ${bytes} bytes; a ConfigMap holds at most ~1 MiB`);
  }

  // The operator's initializer runs `k6 archive <script> <arguments>` then `k6 inspect` on the
  // archive, without the runner's env: what the script reads in its init code must travel as
  // `-e` in `arguments` (an archive keeps those). Runner env is for k6's own settings and secrets.
  const scriptEnv: Record<string, string> = {
    BASE_URL: opts.baseUrl,
    FIREDRILL_RUN_ID: opts.runId,
    ...(opts.profile ? { PROFILE: opts.profile } : {}),
  };
  const env: EnvVar[] = [{ name: 'K6_NO_USAGE_REPORT', value: 'true' }];
  if (opts.prometheusUrl) {
    // K6_OUT, not `--out` in arguments: `k6 archive` (the initializer) rejects `--out`.
    env.push(
      { name: 'K6_OUT', value: 'experimental-prometheus-rw' },
      {
        name: 'K6_PROMETHEUS_RW_SERVER_URL',
        value: `${opts.prometheusUrl.replace(/\/+$/, '')}/api/v1/write`,
      },
      { name: 'K6_PROMETHEUS_RW_TREND_STATS', value: PROMETHEUS_TREND_STATS },
    );
  }
  if (opts.credentialsSecret) {
    for (const [envName, key] of [
      ['FIREDRILL_USERNAME', 'username'],
      ['FIREDRILL_PASSWORD', 'password'],
    ] as const) {
      env.push({ name: envName, valueFrom: { secretKeyRef: { name: opts.credentialsSecret, key } } });
    }
  }
  // The operator splits this string on spaces: no value below may contain one.
  const parts = [
    ...Object.entries(scriptEnv).map(([k, v]) => `-e ${k}=${v}`),
    `--tag testid=${opts.runId}`,
    `--tag location=${opts.location ?? 'k8s'}`,
  ];
  for (const [k, v] of Object.entries(scriptEnv)) {
    if (/\s/.test(v))
      throw new RangeError(`${k}: ${JSON.stringify(v)} has whitespace, which TestRun arguments cannot carry`);
  }
  const args = parts.join(' ');

  const image = opts.image ?? K6_DOCKER_IMAGE;
  const configMap: ConfigMapObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(),
    data: { [file]: opts.script },
  };
  const testRun: TestRunObject = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(),
    spec: {
      parallelism: opts.parallelism,
      script: { configMap: { name, file } },
      arguments: args,
      // The initializer's default image is the operator's own runner build, whatever k6 it has;
      // the same image for both means the same k6 validates and runs the script.
      initializer: { image },
      runner: { image, metadata: { labels }, env },
    },
  };
  // No YAML anchors for the shared label map: some tools that template manifests choke on them.
  const yaml = [configMap, testRun]
    .map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
  return { objects: [configMap, testRun], yaml, warnings };
}
