import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Artifact } from '../core/result.ts';

/**
 * Writes a report through a temporary file and a rename, so a CI job that uploads `reports/`
 * while a scheduler overwrites it never picks up half a file.
 */
export async function writeReportFile(path: string, contents: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, contents, 'utf8');
  await rename(tmp, path);
}

/** An artifact's path on disk. `Artifact.path` is relative to the report directory, or absolute. */
export function artifactFile(artifact: Artifact, outDir: string): string {
  return isAbsolute(artifact.path) ? artifact.path : resolve(outDir, artifact.path);
}

/**
 * A relative URL from a report at `fromFile` to `target`. Segments are percent-encoded and the
 * result always starts with `.`, so a file named `javascript:…` or `a#b.png` stays a file link.
 */
export function relativeHref(fromFile: string, target: string): string {
  const rel = relative(dirname(resolve(fromFile)), resolve(target));
  const url = rel.split(/[\\/]/).map(encodeURIComponent).join('/');
  return url.startsWith('..') ? url : `./${url}`;
}
