import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, StackComponent } from '../config/schema.ts';
import { resolveStateDir, stackPaths } from './paths.ts';
import { tailFile } from './processes.ts';
import { StackError } from './types.ts';

export interface StackLogsOptions {
  config: Pick<Config, 'stateDir'>;
  root: string;
  component: StackComponent;
  /** How many lines from the end to print first. @defaultValue 50 */
  lines?: number;
  /** Keep printing what is appended, until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  output?: NodeJS.WritableStream;
}

/** Prints the end of a component's log (its stdout and stderr), and with `follow` what comes after. */
export async function stackLogs(opts: StackLogsOptions): Promise<void> {
  const out = opts.output ?? process.stdout;
  const file = stackPaths(resolveStateDir(opts.config, opts.root)).logFile(opts.component);
  let offset: number;
  try {
    offset = (await stat(file)).size;
  } catch {
    throw new StackError(
      `${opts.component} has no log yet (${file}); has \`firedrill stack up\` started it?`,
    );
  }
  const tail = await tailFile(file, opts.lines ?? 50, 1024 * 1024);
  if (tail) out.write(`${tail}\n`);
  if (!opts.follow) return;
  const buf = Buffer.alloc(64 * 1024);
  while (!opts.signal?.aborted) {
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < offset) offset = 0; // truncated or replaced
    if (size > offset) {
      const fh = await open(file, 'r');
      try {
        while (offset < size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - offset), offset);
          if (bytesRead === 0) break;
          out.write(buf.subarray(0, bytesRead));
          offset += bytesRead;
        }
      } finally {
        await fh.close();
      }
    }
    await sleep(250, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
  }
}
