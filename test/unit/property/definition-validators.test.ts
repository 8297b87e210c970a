import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../packages/firedrill/src/config/load.ts';
import {
  alertFires,
  appFault,
  defineDrill,
  logsArrive,
  slackMessage,
  toxiproxy,
} from '../../../packages/firedrill/src/drills/define.ts';
import { validateDrill } from '../../../packages/firedrill/src/drills/loader.ts';
import { validateProbeModules } from '../../../packages/firedrill/src/probes/loader.ts';
import { bounded, CRASH_MESSAGE, jsValue, mutationsOf } from './arbitraries.ts';

const validProbe = {
  id: 'api-items',
  name: 'Items API',
  kind: 'http',
  schedule: '*/5 * * * *',
  timeoutMs: 10_000,
  retries: 1,
  tags: ['api'],
  environments: ['local'],
  run: async () => {},
};

const validDrill = defineDrill({
  id: 'api-error-rate',
  name: 'API error rate',
  environments: ['local'],
  fault: [
    appFault({ kind: 'error-rate', rate: 1, ttl: '60s' }),
    toxiproxy({ proxy: 'app', toxic: { type: 'latency', attributes: { latency: 500 } } }),
  ],
  traffic: { requests: [{ method: 'GET', path: '/api/items', expectStatus: 200 }], ratePerSec: 5 },
  expect: [
    alertFires('HighApiErrorRate', { labels: { severity: 'critical' }, within: '30s' }),
    slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '45s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', match: { status_code: 500 }, within: '20s' }),
  ],
  resolve: { within: '2m' },
  timeoutMs: 600_000,
  tags: ['api'],
});

function wellFormed(diagnostics: readonly Diagnostic[], isFile: (file: string) => boolean): void {
  for (const d of diagnostics) {
    expect(isFile(d.file), d.file).toBe(true);
    expect(typeof d.path).toBe('string');
    expect(d.message.trim()).not.toBe('');
    expect(d.message).not.toMatch(CRASH_MESSAGE);
  }
}

/** Each module becomes a probe or gets a diagnostic of its own: none is dropped in silence. */
function judgeProbes(values: unknown[]): void {
  const modules = values.map((value, i) => ({ file: `probes/p${i}.probe.ts`, value }));
  const { probes, diagnostics } = validateProbeModules(modules, ['local', 'staging']);
  wellFormed(diagnostics, (f) => modules.some((m) => m.file === f));
  for (const m of modules) {
    const ok = probes.some((p) => p.file === m.file);
    const blamed = diagnostics.some((d) => d.file === m.file);
    expect(ok !== blamed, `${m.file}: loaded ${ok}, diagnosed ${blamed}`).toBe(true);
  }
}

function judgeDrill(raw: unknown): void {
  const file = 'alert-tests/x.drill.ts';
  const { drill, diagnostics } = validateDrill(raw, file);
  wellFormed(diagnostics, (f) => f === file);
  if (!drill) expect(diagnostics.length).toBeGreaterThan(0);
}

describe('validateProbeModules on bad input', () => {
  it('accepts the valid probe the mutations start from', () => {
    expect(validateProbeModules([{ file: 'p.probe.ts', value: validProbe }], ['local']).diagnostics).toEqual(
      [],
    );
  });

  it('arbitrary exported values, several files at once (duplicate ids included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(jsValue, mutationsOf(validProbe)), { minLength: 1, maxLength: 4 }),
        judgeProbes,
      ),
      bounded(200),
    );
  });

  it('mutations of a valid probe', () => {
    fc.assert(
      fc.property(mutationsOf(validProbe), (v) => judgeProbes([v])),
      bounded(300),
    );
  });

  it('a file that failed to import: its error, first line, as the message', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (loadError) => {
        const { diagnostics } = validateProbeModules([{ file: 'probes/p.probe.ts', loadError }]);
        expect(diagnostics).toHaveLength(1);
        wellFormed(diagnostics, (f) => f === 'probes/p.probe.ts');
      }),
      bounded(100),
    );
  });
});

describe('validateDrill on bad input', () => {
  it('accepts the valid drill the mutations start from', () => {
    expect(validateDrill(validDrill, 'x.drill.ts').diagnostics).toEqual([]);
  });

  it('arbitrary exported values', () => {
    fc.assert(fc.property(jsValue, judgeDrill), bounded(200));
  });

  it('mutations of a valid drill: faults, traffic, conditions, resolve', () => {
    fc.assert(fc.property(mutationsOf(validDrill), judgeDrill), bounded(300));
  });
});

const circular = () => {
  const o: Record<string, unknown> = {};
  o.self = o;
  return o;
};
const throwingId = <T extends object>(def: T): T =>
  Object.defineProperty({ ...def }, 'id', {
    enumerable: true,
    get() {
      throw new Error('id getter threw');
    },
  });

describe('validators: cyclic values', () => {
  it('probe: a circular object as timeoutMs', () => judgeProbes([{ ...validProbe, timeoutMs: circular() }]));
  it('drill: a circular object as a fault', () => judgeDrill({ ...validDrill, fault: circular() }));
});

// Found next to the properties, now fixed: each counterexample pinned.
describe('validators: crashes found and fixed', () => {
  // show() and the duration message JSON.stringify the input: TypeError instead of a diagnostic.
  it('probe: a bigint as timeoutMs', () => judgeProbes([{ ...validProbe, timeoutMs: 10n }]));
  it('drill: a bigint as a condition within', () =>
    judgeDrill({ ...validDrill, expect: [{ ...validDrill.expect[0]!, within: 10n }] }));
  // A throwing getter escapes validateProbeModules: one such file stops every probe.
  it('probe: a definition whose getter throws, next to a valid one', () =>
    judgeProbes([validProbe, throwingId(validProbe)]));
  it('drill: a definition whose getter throws', () => judgeDrill(throwingId(validDrill)));
});
