import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrometheusRules } from '../../../config/alerting/rules.ts';
import { alertNamesOf, unknownAlertDiagnostics } from '../../../packages/firedrill/src/drills/alert-names.ts';
import { alertFires, appFault, defineDrill } from '../../../packages/firedrill/src/drills/define.ts';
import { loadDrills, planOf } from '../../../packages/firedrill/src/drills/loader.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const known = alertNamesOf(renderPrometheusRules('fast'));

describe('alert names known before a drill runs', () => {
  it("reads the stack's rule file", () => {
    expect(known).toContain('HighApiErrorRate');
  });

  it("finds every alert the shipped drills expect in the project's rules", async () => {
    expect(unknownAlertDiagnostics(await loadDrills(root), known, 'config/alerting/rules.ts')).toEqual([]);
  });

  it('names a typo with the nearest rule, at its field', () => {
    const plan = planOf(
      defineDrill({
        id: 'typo',
        fault: appFault({ kind: 'error-rate', rate: 1, ttl: '60s' }),
        expect: [alertFires('HighApiErorRate', { within: '1m' })],
      }),
    );
    expect(
      unknownAlertDiagnostics(
        [{ plan: { ...plan, routing: false }, file: 'alert-tests/typo.drill.ts' }],
        known,
        'rules.ts',
      ),
    ).toEqual([
      {
        file: 'alert-tests/typo.drill.ts',
        path: 'expect.0.alert',
        message: 'no rule in rules.ts defines alert HighApiErorRate (did you mean HighApiErrorRate?)',
      },
    ]);
  });
});
