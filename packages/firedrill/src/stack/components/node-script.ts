import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LaunchPlan, StackContext } from '../component.ts';
import { StackError } from '../types.ts';

// Resolved from firedrill's own dependencies: a user's project need not have tsx at its top level
// (pnpm does not hoist it). tsx's package exports "." as its ESM loader, for every condition.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * TypeScript services run through tsx's loader, from the project root: firedrill's own (an
 * absolute path into the package) or the project's (relative to its root, like the demo app).
 */
export function nodeScriptPlan(ctx: StackContext, script: string, env: Record<string, string>): LaunchPlan {
  return {
    command: process.execPath,
    args: ['--import', TSX_LOADER, script],
    env,
    cwd: ctx.root,
    identity: script,
    configText: '',
  };
}

export function requireScript(ctx: StackContext, script: string, what: string): void {
  if (!existsSync(path.resolve(ctx.root, script)))
    throw new StackError(`${what}: ${script} not found in ${ctx.root}`);
}
