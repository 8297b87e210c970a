import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const FRONTEND_DIR = fileURLToPath(new URL('../frontend/', import.meta.url));
export const BUILD_DIR = fileURLToPath(new URL('../public/build/', import.meta.url));
export const PAGE_ENTRIES = ['login', 'items', 'images'] as const;

export interface BundleFile {
  contents: Uint8Array;
  contentType: string;
}

/** Build outputs by path relative to `/build/`, e.g. `items.js`, `chunks/faro-3XK2.js`. */
export type Bundle = ReadonlyMap<string, BundleFile>;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

// One build per process: every app instance serves the same sources, and tests start many apps.
let cached: Promise<Bundle> | undefined;

/**
 * Bundles the TypeScript frontend with esbuild, in memory. The app serves from memory, so two
 * processes building at once never read each other's half-written files; a copy also goes to
 * `public/build/` (atomically, file by file) for anyone who wants to look at what is served.
 */
export function buildFrontend(): Promise<Bundle> {
  cached ??= runBuild().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function runBuild(): Promise<Bundle> {
  const result = await build({
    entryPoints: PAGE_ENTRIES.map((name) => ({ in: join(FRONTEND_DIR, 'pages', `${name}.ts`), out: name })),
    outdir: BUILD_DIR,
    bundle: true,
    // Splitting keeps Faro in its own chunk, fetched only when a collector URL is configured.
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const files = new Map<string, BundleFile>();
  for (const file of result.outputFiles) {
    const relative = file.path.slice(BUILD_DIR.length).split('\\').join('/');
    const ext = relative.slice(relative.lastIndexOf('.'));
    files.set(relative, {
      contents: file.contents,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
    });
  }
  await writeCopy(files).catch(() => {
    // A read-only checkout still serves the in-memory bundle; the disk copy is only a convenience.
  });
  return files;
}

async function writeCopy(files: Bundle): Promise<void> {
  for (const [relative, file] of files) {
    const target = join(BUILD_DIR, relative);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, file.contents);
    await rename(temp, target);
  }
  // Chunk names carry content hashes, so every source change would otherwise leave old ones behind.
  const current = new Set(files.keys());
  for (const name of await readdir(join(BUILD_DIR, 'chunks'))) {
    if (!current.has(`chunks/${name}`) && !name.endsWith('.tmp'))
      await rm(join(BUILD_DIR, 'chunks', name), { force: true });
  }
}
