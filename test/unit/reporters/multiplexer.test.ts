import { describe, expect, it } from 'vitest';
import { ReporterMultiplexer } from '../../../packages/firedrill/src/reporting/multiplexer.ts';
import type { Reporter } from '../../../packages/firedrill/src/reporting/reporter.ts';
import { fixtureResults, runOf } from '../../fixtures/results/index.ts';
import { replay } from './helpers.ts';

/** Records every hook it receives, by name. */
function recorder(): Reporter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    onBegin: () => void calls.push('onBegin'),
    onResultBegin: (ref) => void calls.push(`onResultBegin ${ref.id}`),
    onStepEnd: (_ref, s) => void calls.push(`onStepEnd ${s.name}`),
    onEvent: (_ref, e) => void calls.push(`onEvent ${e.event}`),
    onResult: (r) => void calls.push(`onResult ${r.id}`),
    onEnd: () => void calls.push('onEnd'),
  };
}

const boom = (hook: string) => () => {
  throw new Error(`${hook} exploded`);
};

describe('ReporterMultiplexer', () => {
  it('keeps calling the other reporters, and the broken one, when a reporter throws in every hook', async () => {
    const good = recorder();
    const broken: Reporter = {
      onBegin: boom('onBegin'),
      onResultBegin: boom('onResultBegin'),
      onStepEnd: boom('onStepEnd'),
      onEvent: boom('onEvent'),
      onResult: () => Promise.reject(new Error('onResult rejected')),
      onEnd: boom('onEnd'),
    };
    const warnings: string[] = [];
    const mux = new ReporterMultiplexer(
      [
        { name: 'broken', reporter: broken },
        { name: 'good', reporter: good },
      ],
      { warn: (l) => warnings.push(l) },
    );
    const run = runOf(fixtureResults());
    await replay(mux, run);

    const reference = recorder();
    await replay(reference, run);
    expect(good.calls).toEqual(reference.calls);
    expect(good.calls.at(-1)).toBe('onEnd');

    const order = ['onBegin', 'onResultBegin', 'onStepEnd', 'onEvent', 'onResult', 'onEnd'];
    const failures = mux.failures.sort((a, b) => order.indexOf(a.hook) - order.indexOf(b.hook));
    expect(failures.map((f) => [f.hook, f.error.message])).toEqual([
      ['onBegin', 'onBegin exploded'],
      ['onResultBegin', 'onResultBegin exploded'],
      ['onStepEnd', 'onStepEnd exploded'],
      ['onEvent', 'onEvent exploded'],
      ['onResult', 'onResult rejected'],
      ['onEnd', 'onEnd exploded'],
    ]);
    const steps = run.results.reduce((n, r) => n + r.steps.length, 0);
    expect(mux.failures.find((f) => f.hook === 'onStepEnd')?.repeats).toBe(steps - 1);
    // One line the moment each hook first fails, then the end-of-run summary.
    expect(warnings.slice(0, 2)).toEqual([
      'firedrill: reporter "broken" failed in onBegin: onBegin exploded',
      'firedrill: reporter "broken" failed in onResultBegin: onResultBegin exploded',
    ]);
    expect(warnings).toContain(
      `firedrill: reporter "broken" failed in onStepEnd (and ${steps - 1} more onStepEnd calls): onStepEnd exploded`,
    );
    expect(warnings.filter((w) => w.includes('onStepEnd'))).toHaveLength(2);
  });

  it('records a live hook that returns a rejected promise instead of leaving it unhandled', async () => {
    const mux = new ReporterMultiplexer(
      [
        {
          name: 'async-live',
          reporter: { onStepEnd: (() => Promise.reject(new Error('late'))) as () => void },
        },
      ],
      { warn: () => {} },
    );
    mux.onStepEnd(
      { id: 'x', name: 'x', kind: 'probe', start: 0 },
      { name: 's', status: 'pass', start: 0, durationMs: 1 },
    );
    await new Promise((r) => setImmediate(r));
    expect(mux.failures).toMatchObject([
      { reporter: 'async-live', hook: 'onStepEnd', error: { message: 'late' } },
    ]);
  });

  it('gives up on an awaited hook that hangs, after hookTimeoutMs, and still finishes the others', async () => {
    const good = recorder();
    const mux = new ReporterMultiplexer(
      [
        { name: 'slack', reporter: { onEnd: () => new Promise<void>(() => {}) } },
        { name: 'good', reporter: good },
      ],
      { warn: () => {}, hookTimeoutMs: 20 },
    );
    await mux.onEnd({ results: [], exitCode: 0, durationMs: 1 });
    expect(good.calls).toEqual(['onEnd']);
    expect(mux.failures).toMatchObject([
      { reporter: 'slack', hook: 'onEnd', error: { message: 'onEnd timed out after 20 ms' } },
    ]);
  });

  it('waits for every async onEnd before resolving', async () => {
    let written = false;
    const mux = new ReporterMultiplexer([
      {
        name: 'file',
        reporter: {
          onEnd: () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                written = true;
                resolve();
              }, 10),
            ),
        },
      },
    ]);
    await mux.onEnd({ results: [], exitCode: 0, durationMs: 1 });
    expect(written).toBe(true);
    expect(mux.failures).toEqual([]);
  });

  it('lists the reporters that write to stdout', () => {
    const mux = new ReporterMultiplexer([
      { name: 'console', reporter: { printsToStdout: () => true } },
      { name: 'junit', reporter: {} },
      { name: 'weird', reporter: { printsToStdout: boom('printsToStdout') as () => boolean } },
    ]);
    expect(mux.stdoutReporters()).toEqual(['console']);
  });
});
