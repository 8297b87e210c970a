import { Writable } from 'node:stream';
import type { Reporter } from '../../../packages/firedrill/src/reporting/reporter.ts';
import type { FixtureRun } from '../../fixtures/results/index.ts';

/** A stdout stand-in that keeps what was written; `isTTY` as a terminal would set it. */
export class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Drives a reporter the way the runner does: begin, then per result its steps and timeline
 * events as they happened, then the result, then the end.
 */
export async function replay(reporter: Reporter, run: FixtureRun): Promise<void> {
  await reporter.onBegin?.(run.ctx);
  for (const r of run.results) {
    const ref = {
      id: r.id,
      name: r.name,
      kind: r.kind,
      start: r.start,
      ...(r.attempt && { attempt: r.attempt }),
    };
    reporter.onResultBegin?.(ref);
    const live = [
      ...r.steps.map((s) => ({ at: s.start + s.durationMs, call: () => reporter.onStepEnd?.(ref, s) })),
      ...(r.timeline ?? []).map((e) => ({ at: e.at, call: () => reporter.onEvent?.(ref, e) })),
    ].sort((a, b) => a.at - b.at);
    for (const l of live) l.call();
    await reporter.onResult?.(r);
  }
  await reporter.onEnd?.(run.summary);
}

/** Whether text holds a terminal escape sequence (colour, cursor movement). */
export const hasAnsi = (text: string): boolean => text.includes('\u001b[');
