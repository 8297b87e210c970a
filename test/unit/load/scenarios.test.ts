import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleScenario } from '../../../packages/firedrill/src/load/bundle.ts';
import { listScenarios, resolveScenario } from '../../../packages/firedrill/src/load/scenarios.ts';
import { ROOT } from './helpers.ts';

const run = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
const K6_MODULE = /^k6(\/[a-z0-9/-]+)?$/;

async function tsc(project: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(TSC, ['-p', project], { cwd: ROOT });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? 1, out: e.stdout ?? '' };
  }
}

const scenarios = await listScenarios(ROOT);

describe('scenarios/ type-checks against @types/k6 alone', () => {
  it('lists the flows and the mixes', () => {
    expect(scenarios.map((s) => s.name)).toEqual(['api', 'image-processing', 'login', 'release', 'smoke']);
  });

  it('npx tsc -p scenarios is clean', async () => {
    const { code, out } = await tsc('scenarios');
    expect(out).toBe('');
    expect(code).toBe(0);
  });

  it('the same settings reject DOM, Node and misuse of the k6 API', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'scenario-types-'));
    try {
      await writeFile(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: path.join(ROOT, 'scenarios', 'tsconfig.json'),
          // A temp dir has no node_modules above it: point at the repo's @types.
          compilerOptions: { typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
          include: ['bad.ts'],
        }),
      );
      await writeFile(
        path.join(dir, 'bad.ts'),
        [
          "import http from 'k6/http';",
          "export const status: string = http.get('http://x').status;",
          'export const title = document.title;',
          'export const cwd = process.cwd();',
          "export const n: number = __ENV.BASE_URL ?? 'x';",
        ].join('\n'),
      );
      const { code, out } = await tsc(dir);
      expect(code).not.toBe(0);
      expect(out).toContain("bad.ts(2,14): error TS2322: Type 'number' is not assignable to type 'string'.");
      expect(out).toContain("bad.ts(3,22): error TS2584: Cannot find name 'document'.");
      expect(out).toContain("bad.ts(4,20): error TS2591: Cannot find name 'process'.");
      expect(out).toContain("bad.ts(5,14): error TS2322: Type 'string' is not assignable to type 'number'.");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('each scenario bundles with k6 modules left external', () => {
  it.each(scenarios.map((s) => [s.name]))('%s', async (name) => {
    const scenario = await resolveScenario(ROOT, name);
    const { code, externals } = await bundleScenario(scenario.file);
    expect(externals.length).toBeGreaterThan(0);
    for (const e of externals) expect(e).toMatch(K6_MODULE);
    // Every local import was inlined: the only imports left are k6's.
    const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.every((i) => K6_MODULE.test(i!))).toBe(true);
    // What k6 needs from the entry module: options and the exec function of each flow.
    const exported = /^export \{([^}]*)\};$/m.exec(code)?.[1] ?? '';
    expect(exported).toMatch(/\boptions\b/);
    const flows = { login: ['loginFlow'], api: ['apiFlow'], 'image-processing': ['imageProcessingFlow'] };
    const expected = flows[name as keyof typeof flows] ?? ['loginFlow', 'apiFlow', 'imageProcessingFlow'];
    for (const fn of expected) expect(exported).toMatch(new RegExp(`\\b${fn}\\b`));
    // ES2017 output: no optional chaining or ?? for older k6 (goja) runtimes.
    expect(code).not.toMatch(/\?\.|\?\?/);
  });
});
