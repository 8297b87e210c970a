import { readdir, readFile } from 'node:fs/promises';

/** pid → parent pid for every process visible in /proc. */
async function parents(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name may contain spaces and parentheses; fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(fields[1]));
    } catch {
      // Exited while scanning.
    }
  }
  return out;
}

export async function processTree(root: number): Promise<number[]> {
  const ppid = await parents();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of ppid) if (parent === tree[i]) tree.push(pid);
  }
  return tree;
}

/** Proportional set size in kB: shared pages (Chromium's code, zygote forks) split fairly between sharers. */
export async function pssKb(pid: number): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export async function treePssMb(root: number): Promise<{ mb: number; processes: number }> {
  const pids = await processTree(root);
  let kb = 0;
  for (const pid of pids) kb += await pssKb(pid);
  return { mb: Math.round((kb / 1024) * 10) / 10, processes: pids.length };
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds used by a process tree so far, including children it has reaped: Chromium's
 * zygote reaps a closed context's renderer, so its time stays counted after the process is gone.
 */
export async function treeCpuMs(root: number): Promise<number> {
  let ticks = 0;
  for (const pid of await processTree(root)) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the command name.
      for (let i = 11; i <= 14; i++) ticks += Number(fields[i]);
    } catch {
      // Exited while scanning.
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
