import { execFile } from 'node:child_process';
import { chown, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { type ComponentDefinition, loopback, type StackContext } from '../component.ts';
import { httpProbe } from '../health.ts';
import { findJavaHome, PROGRAMS, requireProgram } from '../programs.ts';
import { StackError } from '../types.ts';
import { ensureOpensearchHome, lookupAccount } from './opensearch-dist.ts';
import {
  classDataSharingFlags,
  patchJvmOptions,
  resolveJvmOptions,
  STARTUP_JAVA_OPTS,
} from './opensearch-jvm.ts';

const run = promisify(execFile);

export function renderOpensearchYml(opts: {
  httpPort: number;
  transportPort: number;
  dataDir: string;
  logsDir: string;
}): string {
  return stringify({
    'cluster.name': 'firedrill',
    'node.name': 'firedrill',
    'discovery.type': 'single-node',
    'network.host': '127.0.0.1',
    'http.port': opts.httpPort,
    'transport.port': opts.transportPort,
    'path.data': opts.dataDir,
    'path.logs': opts.logsDir,
    'action.auto_create_index': true,
    // On a nearly full disk the watermarks make every index read-only, and logs silently stop arriving.
    'cluster.routing.allocation.disk.threshold_enabled': false,
  });
}

/** Index template for the demo app's daily log indices: single node, so no replicas (else the cluster stays yellow). */
export const APP_LOGS_TEMPLATE = {
  index_patterns: ['app-logs-*'],
  priority: 100,
  template: {
    settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
    mappings: {
      properties: {
        time: { type: 'date' },
        msg: { type: 'text' },
        ...Object.fromEntries(
          [
            'level',
            'service',
            'environment',
            'source',
            'request_id',
            'user_id',
            'event',
            'route',
            'method',
          ].map((f) => [f, { type: 'keyword' }]),
        ),
        status_code: { type: 'integer' },
        duration_ms: { type: 'float' },
      },
    },
  },
};

interface Layout {
  base: string;
  configDir: string;
  dataDir: string;
  logsDir: string;
  tmpDir: string;
  cdsDir: string;
}

function layout(ctx: StackContext): Layout {
  const base = ctx.paths.componentDir('opensearch');
  return {
    base,
    configDir: path.join(base, 'config'),
    dataDir: path.join(base, 'data'),
    logsDir: path.join(base, 'logs'),
    tmpDir: path.join(base, 'tmp'),
    cdsDir: path.join(base, 'cds'),
  };
}

/** As root, hands the node's own folders to nobody and proves nobody can reach them (a 0700 parent would stop it). */
async function handOver(l: Layout, files: string[]): Promise<void> {
  const { uid, gid } = lookupAccount('nobody', 'nogroup');
  for (const p of [l.base, l.configDir, l.dataDir, l.logsDir, l.tmpDir, l.cdsDir, ...files]) {
    const st = await stat(p);
    if (st.uid !== uid) {
      if (p === l.dataDir) await run('chown', ['-R', `${uid}:${gid}`, p]);
      else await chown(p, uid, gid);
    }
  }
  const setpriv = requireProgram(PROGRAMS.setpriv);
  try {
    await run(setpriv, [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      '--',
      'test',
      '-w',
      l.dataDir,
    ]);
  } catch {
    throw new StackError(
      `opensearch: refuses to run as root, and the user nobody cannot reach ${l.dataDir}: make each parent folder enterable (chmod o+x) or use a stateDir outside /root and private temp folders`,
    );
  }
}

export const opensearch: ComponentDefinition = {
  name: 'opensearch',
  after: [],
  port: 'opensearch',
  url: (ports) => loopback(ports.opensearch),
  // A cold JVM on 2 cores, competing with the rest of the stack starting.
  readyTimeoutMs: 120_000,
  // Normally under a second; but the run that records the class-data archive writes it on the
  // way out, which took 6–14 s on a busy machine, and a SIGKILL then would lose it.
  stopTimeoutMs: 60_000,
  preflight(ctx) {
    findJavaHome(ctx.config.stack.opensearch.javaHome);
    if (ctx.uid === 0) requireProgram(PROGRAMS.setpriv);
  },
  async prepare(ctx, signal) {
    const { version, heapMb, javaHome: configuredJava } = ctx.config.stack.opensearch;
    const javaHome = findJavaHome(configuredJava);
    const home = await ensureOpensearchHome(version, ctx.cacheDir, ctx.logger, signal);
    const l = layout(ctx);
    for (const d of [
      l.configDir,
      path.join(l.configDir, 'jvm.options.d'),
      l.dataDir,
      l.logsDir,
      l.tmpDir,
      l.cdsDir,
    ]) {
      await mkdir(d, { recursive: true });
    }
    const yml = renderOpensearchYml({
      httpPort: ctx.ports.opensearch,
      transportPort: ctx.ports['opensearch-transport'],
      dataDir: l.dataDir,
      logsDir: l.logsDir,
    });
    const jvm = patchJvmOptions(await readFile(path.join(home, 'config', 'jvm.options'), 'utf8'), {
      heapMb,
      dataDir: l.dataDir,
      logsDir: l.logsDir,
    });
    const configFile = path.join(l.configDir, 'opensearch.yml');
    await writeFile(configFile, yml);
    await writeFile(path.join(l.configDir, 'jvm.options'), jvm);
    await copyFile(
      path.join(home, 'config', 'log4j2.properties'),
      path.join(l.configDir, 'log4j2.properties'),
    );
    const options = await resolveJvmOptions({
      home,
      javaHome,
      configDir: l.configDir,
      tmpDir: l.tmpDir,
      javaOpts: STARTUP_JAVA_OPTS.join(' '),
      cacheFile: path.join(l.base, 'jvm-options.json'),
    });
    const cds = await classDataSharingFlags({
      dir: l.cdsDir,
      sharedDir: path.join(ctx.cacheDir, 'cds'),
      javaHome,
      home,
      options,
    });
    const asNobody = ctx.uid === 0;
    if (asNobody) {
      const files = ['opensearch.yml', 'jvm.options', 'log4j2.properties', 'jvm.options.d'];
      await handOver(
        l,
        files.map((f) => path.join(l.configDir, f)),
      );
    }
    const java = path.join(javaHome, 'bin', 'java');
    // What bin/opensearch would exec, without the helper JVMs it starts first (version check,
    // keystore check, options parser).
    const javaArgs = [
      ...cds,
      ...options,
      `-Dopensearch.path.home=${home}`,
      `-Dopensearch.path.conf=${l.configDir}`,
      '-Dopensearch.distribution.type=zip',
      '-Dopensearch.bundled_jdk=false',
      '-cp',
      `${home}/lib/*`,
      'org.opensearch.bootstrap.OpenSearch',
    ];
    return {
      // OpenSearch refuses to start as root; setpriv execs, so the recorded pid ends up the JVM's.
      command: asNobody ? requireProgram(PROGRAMS.setpriv) : java,
      args: asNobody
        ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', java, ...javaArgs]
        : javaArgs,
      env: { JAVA_HOME: javaHome, OPENSEARCH_PATH_CONF: l.configDir, OPENSEARCH_TMPDIR: l.tmpDir },
      cwd: l.base,
      identity: `-Dopensearch.path.conf=${l.configDir}`,
      configFile,
      configText: yml + jvm,
    };
  },
  probe: (ctx) =>
    httpProbe(`${loopback(ctx.ports.opensearch)}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      attemptTimeoutMs: 3_000,
    }),
  async afterReady(ctx, signal) {
    const res = await fetch(`${loopback(ctx.ports.opensearch)}/_index_template/firedrill-app-logs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(APP_LOGS_TEMPLATE),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new StackError(`opensearch: index template: HTTP ${res.status} ${await res.text()}`);
  },
};
