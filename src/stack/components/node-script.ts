import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LaunchPlan, StackContext } from '../component.ts';
import { StackError } from '../types.ts';

/** The project's own TypeScript services run through tsx's loader, from the project root. */
export function nodeScriptPlan(ctx: StackContext, script: string, env: Record<string, string>): LaunchPlan {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', script],
    env,
    cwd: ctx.root,
    identity: script,
    configText: '',
  };
}

export function requireScript(ctx: StackContext, script: string, what: string): void {
  if (!existsSync(path.join(ctx.root, script)))
    throw new StackError(`${what}: ${script} not found in ${ctx.root}`);
}
