#!/usr/bin/env node
// Folder imports in the package go one way: a folder may import its own layer and the layers
// below it, never above. The order is the architecture (DESIGN.md); a new folder must be placed
// in it, and an import that points upward fails the test script with the file and the import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../packages/firedrill/src');
const LAYERS = [
  ['core'],
  ['connections', 'log-schemas'],
  ['config', 'clients', 'slack-sink'],
  ['stack', 'conditions', 'faults', 'load'],
  ['probes'],
  ['metrics', 'drills'],
  ['reporting'],
  ['reporters', 'scheduler'],
  ['cli'],
];
const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(m?ts|m?js)$/.test(name)) yield p;
  }
}

const problems = [];
for (const file of files(SRC)) {
  const rel = path.relative(SRC, file);
  const folder = rel.split(path.sep)[0];
  if (!rel.includes(path.sep)) continue; // index.ts, reporter.ts, logger.ts: the entry points
  const from = layerOf.get(folder);
  if (from === undefined) {
    problems.push(`${rel}: folder "${folder}" has no layer in scripts/check-imports.mjs`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]));
    if (target.startsWith('..')) continue;
    const to = target.includes(path.sep) ? layerOf.get(target.split(path.sep)[0]) : undefined;
    if (to !== undefined && to > from)
      problems.push(
        `${rel} imports ${target}: ${folder} (layer ${from}) must not depend on ${target.split(path.sep)[0]} (layer ${to})`,
      );
  }
}
if (problems.length) {
  console.error(`import direction: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`import direction: ${LAYERS.map((l) => l.join('+')).join(' < ')}: ok`);
