import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import {
  readStackState,
  type StackState,
  type StackUrls,
  stackUrls,
} from '../../packages/firedrill/src/stack/index.ts';

export interface TestStack {
  state: StackState;
  urls: StackUrls;
  root: string;
  faultToken: string;
}

/** The stack the global setup started, as the integration tests see it. */
export async function testStack(): Promise<TestStack> {
  const stateDir = inject('stackStateDir');
  const state = await readStackState(stateDir);
  if (!state) throw new Error(`no stack state in ${stateDir}: did the global setup run?`);
  return { state, urls: stackUrls(state), root: inject('projectRoot'), faultToken: 'local-fault-token' };
}

export async function promQuery(urls: StackUrls, expr: string): Promise<number | undefined> {
  const res = await fetch(`${urls.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

/** Polls `fn` until it returns a defined value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
  );
}

export function fixturePath(root: string, ...parts: string[]): string {
  return path.join(root, 'test', 'fixtures', ...parts);
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
