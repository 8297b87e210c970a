import path from 'node:path';
import { build } from 'esbuild';

/**
 * Modules the k6 runtime provides: `k6`, `k6/http`, `k6/experimental/…`, remote `https://` imports
 * (jslib) and k6 extensions (`k6/x/…`). They must stay imports, never be bundled.
 */
export const K6_EXTERNALS = ['k6', 'k6/*', 'https://*', 'http://*'];

export interface BundleResult {
  code: string;
  /** Imports left for k6 to resolve, e.g. `k6/http`. */
  externals: string[];
}

/**
 * One self-contained ES module from a scenario and its local imports, types stripped. Needed
 * where k6 cannot read TypeScript (k6 < 0.57) or where only one file travels (a ConfigMap).
 * ES2017 output: older k6 versions (goja) lack later syntax such as `?.` and `??`.
 */
export async function bundleScenario(entry: string, opts: { banner?: string } = {}): Promise<BundleResult> {
  const out = await build({
    entryPoints: [entry],
    // Source-path comments in the bundle stay relative to the scenario, not this machine's layout.
    absWorkingDir: path.dirname(path.resolve(entry)),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2017',
    external: K6_EXTERNALS,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    ...(opts.banner ? { banner: { js: opts.banner } } : {}),
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${entry}`);
  const externals = new Set<string>();
  for (const output of Object.values(out.metafile.outputs)) {
    for (const imp of output.imports) if (imp.external) externals.add(imp.path);
  }
  return { code: file.text, externals: [...externals].sort() };
}
