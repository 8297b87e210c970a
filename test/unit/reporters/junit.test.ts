import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import type { Result } from '../../../packages/firedrill/src/core/result.ts';
import { JunitReporter, junitXml } from '../../../packages/firedrill/src/reporters/junit.ts';
import {
  apiErrorRateMisroutedFailing,
  fixtureResults,
  imageProcessingFlaky,
  loginPassing,
  RUN_ID,
  runOf,
  slowResponsesDrillFailing,
  T0,
  thresholdsLoadBreach,
} from '../../fixtures/results/index.ts';
import { replay } from './helpers.ts';

// Elements that may repeat are always arrays, so the assertions below do not depend on counts.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

interface Case {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string; type: string; '#text': string };
  skipped?: { message: string } | string;
  flakyFailure?: { message: string; type: string };
  'system-out': string;
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  timestamp: string;
  properties: { property: Array<{ name: string; value: string }> };
  testcase: Case[];
}

const OUT_DIR = '/srv/ci/reports';
const xmlFor = (results: Result[]) =>
  junitXml(results, { outDir: OUT_DIR, attachmentBase: '/srv/ci', runId: RUN_ID });
const schema = readFile(new URL('./junit.xsd', import.meta.url), 'utf8');

async function validate(xml: string) {
  return validateXML({
    xml: [{ fileName: 'junit.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: await schema }],
  });
}

describe('junit XML', () => {
  let xml: string;
  let suites: Suite[];
  beforeAll(() => {
    xml = xmlFor(fixtureResults());
    suites = parser.parse(xml).testsuites.testsuite;
  });
  const suite = (kind: string) => suites.find((s) => s.name === kind)!;
  const testcase = (name: string) => suites.flatMap((s) => s.testcase).find((c) => c.name === name)!;

  it('validates against the JUnit schema that Jenkins and GitLab read (test/unit/reporters/junit.xsd)', async () => {
    const result = await validate(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the schema check is real: it rejects a suite without counts', async () => {
    const broken = xml.replace(/<testsuite name="probe" tests="\d+"/, '<testsuite name="probe"');
    expect((await validate(broken)).valid).toBe(false);
  });

  it('has one suite per kind, in kind order, with the right counts', () => {
    const top = parser.parse(xml).testsuites;
    expect([top.name, top.tests, top.failures, top.errors]).toEqual(['firedrill', '8', '2', '1']);
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped])).toEqual([
      ['probe', '5', '1', '1', '0'],
      ['scenario', '1', '0', '0', '1'],
      ['drill', '2', '1', '0', '0'],
    ]);
    expect(suite('probe').timestamp).toBe('2025-06-03T02:00:00');
    expect(suite('probe').properties.property).toEqual([
      { name: 'runId', value: RUN_ID },
      { name: 'environment', value: 'staging' },
    ]);
  });

  it('has a testcase per result: classname is the kind, time in seconds', () => {
    expect(suite('probe').testcase.map((c) => [c.classname, c.name, c.time])).toEqual([
      ['probe', 'api items', '0.760'],
      ['probe', 'search', '1.320'],
      ['probe', 'login', '2.310'],
      ['probe', 'admin login', '11.920'],
      ['probe', 'image processing', '4.480'],
    ]);
    expect(suite('drill').testcase.map((c) => c.name)).toEqual(['api-error-rate', 'slow-responses']);
  });

  it('puts a failure with message, type, the full text without ANSI codes, and artifact paths', () => {
    const f = testcase('admin login').failure!;
    expect(f.message).toBe(
      "Timeout 10000ms exceeded. waiting for getByRole('heading', { name: 'Dashboard' })",
    );
    expect(f.type).toBe('timeout');
    expect(f['#text']).toContain('Call log:');
    expect(f['#text']).toContain('failed step: submit and wait for /dashboard');
    expect(f['#text']).toContain('screenshot: reports/artifacts/admin-login/failure.png');
    expect(xml.includes('\u001b')).toBe(false);
  });

  it('lists steps and attachments in system-out, one [[ATTACHMENT|path]] per artifact on its own line', () => {
    const out = testcase('admin login')['system-out'];
    expect(out).toContain('  pass      700ms  open /login');
    expect(out).toContain('  fail        10s  submit and wait for /dashboard  Timeout 10000ms exceeded.');
    expect(out.split('\n').filter((l) => l.startsWith('[[ATTACHMENT|'))).toEqual([
      '[[ATTACHMENT|reports/artifacts/admin-login/failure.png]]',
      '[[ATTACHMENT|reports/artifacts/admin-login/trace.zip]]',
    ]);
  });

  it('writes HTTP phase timings under their step', () => {
    expect(testcase('api items')['system-out']).toContain(
      '  pass       79ms  GET /api/health\n                    resolve 4ms, connect 11ms, tls 23ms, processing 38ms, transfer 3ms',
    );
  });

  it('marks errors as <error>, skips as <skipped>, flaky passes with Surefire’s <flakyFailure>', () => {
    expect(testcase('search').error).toMatchObject({
      message: 'page.goto: Target page, context or browser has been closed',
      type: 'browser-crash',
    });
    expect(testcase('checkout under load').skipped).toEqual({
      message: 'k6 not found on PATH; scenario type-checked only',
    });
    // One element per failed earlier attempt, with that attempt's own error (Surefire's reruns).
    expect(testcase('image processing').flakyFailure).toEqual({
      type: 'timeout',
      message: 'probe timed out after 10000 ms in step "wait for thumbnail"',
      '#text': 'attempt 1: error in 10s\nprobe timed out after 10000 ms in step "wait for thumbnail"',
    });
    expect(testcase('login').failure).toBeUndefined();
  });

  it('writes a drill’s timeline, conditions and hops to system-out and its unmet conditions to the failure', () => {
    const drill = testcase('slow-responses');
    expect(drill.failure?.message).toBe(
      'The alert did not fire: SlowResponses is pending; the rule has for: 2m, longer than within: 1m, so it cannot fire in time.',
    );
    expect(drill.failure?.['#text']).toContain(
      'condition fail: alertFires SlowResponses · source prometheus · within 1m 00s — saw source prometheus · state pending · value 1.62',
    );
    const out = testcase('api-error-rate')['system-out'];
    expect(out).toContain('   +14.95s  observe   HighApiErrorRate firing (prometheus)');
    expect(out).toContain('conditions (times after injection):');
    expect(out).toContain(
      '  pass    slackMessage #alerts-critical · contains HighApiErrorRate · within 1m 30s — saw channel #alerts-critical · posted +14.65s · seen +14.84s · polls 74 · text "[FIRING:1] HighApiErrorRate api (critical) — API error rate above 5% for 10s; r…" at +14.65s',
    );
    expect(out).not.toMatch(/\d{13}/);
    expect(out).toContain('hops (measured / expected / max):');
    // Over the live config's worst case: said, even though the drill passed.
    expect(out).toContain('  fire                 14s / 11s / 12s  ⚠ 14s, over its 12s budget');
    expect(out).toContain('  notify             14.7s / 11s / 12s  ⚠ 14.7s, over its 12s budget');
    expect(out).toContain('  log                5.25s / - / -\n');
    expect(out).toContain('  resolve_notify     7.30s / 7.00s / 17s');
    expect(out).toContain('rollback: pass');
  });

  it('puts a failed condition’s message in the failure, title and body, with the diagnosis', async () => {
    const misrouted = apiErrorRateMisroutedFailing();
    const wrongChannel =
      'message about HighApiErrorRate arrived in the wrong channel: #alerts-warning instead of #alerts-critical (seen at +14.7s, and still not in #alerts-critical 2.1s later)';
    const titleOf = (r: Result) => {
      const out = xmlFor([r]);
      return { out, f: (parser.parse(out).testsuites.testsuite as Suite[])[0]!.testcase[0]!.failure! };
    };
    const withDiagnosis = titleOf(misrouted);
    expect((await validate(withDiagnosis.out)).errors).toEqual([]);
    expect(withDiagnosis.f.message).toBe(`The notification did not arrive: ${wrongChannel}.`);
    expect(withDiagnosis.f['#text']).toContain(
      `conditions not met:\ncondition fail: slackMessage #alerts-critical · HighApiErrorRate · contains HighApiErrorRate · within 1m 30s — arrived in #alerts-warning at +14.70s after injection\n  ${wrongChannel}`,
    );
    // Without a diagnosis, or with an error that does not say it, the condition's words still lead the title.
    const { diagnosis: _, ...bare } = misrouted;
    expect(titleOf(bare).f.message).toBe(wrongChannel);
    const errored = titleOf({ ...bare, error: { message: 'observe ended early', type: 'drill' } });
    expect(errored.f.message).toBe(`observe ended early — ${wrongChannel}`);
    expect(errored.f.type).toBe('drill');
    // A consequence (no message, since the alert never fired) is listed in the body, not repeated as a cause.
    const slow = titleOf(slowResponsesDrillFailing()).f;
    expect(slow.message).not.toContain('#alerts-warning');
    expect(slow['#text']).toContain('(consequence of alertFires SlowResponses)');
  });

  it('keeps every attempt of a retried run: Surefire rerun elements and an attempts list', async () => {
    const failedTwice: Result = {
      ...loginPassing(),
      status: 'fail',
      attempt: 2,
      error: { message: 'login rejected', type: 'assertion' },
      attempts: [
        {
          attempt: 1,
          status: 'error',
          start: T0,
          durationMs: 1_200,
          error: { message: 'ECONNRESET', type: 'http' },
        },
        {
          attempt: 2,
          status: 'fail',
          start: T0 + 1_300,
          durationMs: 900,
          error: { message: 'login rejected' },
        },
      ],
    };
    const out = xmlFor([failedTwice, imageProcessingFlaky()]);
    expect((await validate(out)).errors).toEqual([]);
    const cases = (parser.parse(out).testsuites.testsuite as Suite[])[0]!.testcase as Array<
      Case & { rerunFailure?: { type: string; message: string } }
    >;
    expect(cases[0]!.rerunFailure).toMatchObject({ type: 'http', message: 'ECONNRESET' });
    expect(cases[0]!['system-out']).toContain(
      'attempts:\n  attempt 1  error     1.20s  http: ECONNRESET\n  attempt 2  fail      900ms  login rejected',
    );
    expect(cases[1]!['system-out']).toContain(
      '  attempt 1  error       10s  timeout: probe timed out after 10000 ms in step "wait for thumbnail"',
    );
  });

  it('writes a load scenario’s thresholds with their observed values, in their units', async () => {
    const out = xmlFor(thresholdsLoadBreach());
    expect((await validate(out)).errors).toEqual([]);
    const slow = (parser.parse(out).testsuites.testsuite as Suite[])[0]!.testcase.find(
      (c) => c.name === 'thresholds › slow',
    )!;
    expect(slow['system-out']).toContain(
      'thresholds:\n  fail    checks{flow:slow} rate>0.99 — observed rate 0% (10 samples)  checks{flow:slow}: rate=0 crosses the threshold rate>0.99\n  pass    fixture_wait{flow:slow} p(95)<3000 — observed p(95) 62ms (10 samples)',
    );
    expect(slow['system-out']).not.toContain('0ms');
  });

  it('survives names and messages that are not valid XML text', async () => {
    const evil: Result = {
      ...loginPassing(),
      name: 'a <b> & "c" \u0007 ]]>',
      status: 'fail',
      error: { message: 'bad <xml> & \u0000 control' },
    };
    const out = xmlFor([evil]);
    expect((await validate(out)).valid).toBe(true);
    const c = (parser.parse(out).testsuites.testsuite as Suite[])[0]!.testcase[0]!;
    expect(c.name).toBe('a <b> & "c" \uFFFD ]]>');
    expect(c.failure?.message).toBe('bad <xml> & \uFFFD control');
  });

  it('writes an empty but valid document for an empty run', async () => {
    const out = xmlFor([]);
    expect((await validate(out)).valid).toBe(true);
    expect(parser.parse(out).testsuites.tests).toBe('0');
  });

  it('writes the file at the end of the run, through the reporter', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-junit-'));
    const path = join(dir, 'nested/junit.xml');
    await replay(new JunitReporter({ path, outDir: dir }), runOf(fixtureResults()));
    const written = await readFile(path, 'utf8');
    expect(written.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect((await validate(written)).valid).toBe(true);
  });
});
