import { describe, expect, it } from 'vitest';
import {
  AssertionError,
  assertResponse,
  type CheckedResponse,
  checkResponse,
  type ResponseExpectations,
} from '../../../packages/firedrill/src/probes/http/assertions.ts';
import { getJsonPath, parseJsonPath } from '../../../packages/firedrill/src/probes/http/json-path.ts';
import {
  above,
  absent,
  atMost,
  exists,
  hasLength,
  isType,
  matches,
  nonEmpty,
  oneOf,
} from '../../../packages/firedrill/src/probes/http/matchers.ts';

function response(over: Partial<CheckedResponse> & { body?: string } = {}): CheckedResponse {
  const body = over.body ?? '{"id":7,"title":"milk","tags":["a"],"user":{"name":"demo"}}';
  return {
    method: 'GET',
    url: 'http://app/api/items/7',
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' },
    text: () => body,
    timings: { total: 42.25 },
    ...over,
  };
}

describe('checkResponse', () => {
  it.each<[string, ResponseExpectations, string[], Partial<CheckedResponse> & { body?: string }]>([
    ['status met', { status: 200 }, [], {}],
    ['status', { status: 201 }, ['expected status 201, got 200'], {}],
    ['status list', { status: [201, 204] }, ['expected status one of 201, 204, got 200'], {}],
    ['status class', { status: '4xx' }, ['expected status 4xx, got 200'], {}],
    ['status class met', { status: '2xx' }, [], {}],
    [
      'header regex',
      { headers: { 'Content-Type': /xml/ } },
      ['expected header content-type to match /xml/, got "application/json; charset=utf-8"'],
      {},
    ],
    [
      'header literal',
      { headers: { 'x-request-id': 'r-2' } },
      ['expected header x-request-id to equal "r-2", got "r-1"'],
      {},
    ],
    [
      'header absent',
      { headers: { 'x-request-id': absent() } },
      ['expected header x-request-id to be absent, got "r-1"'],
      {},
    ],
    ['header exists', { headers: { etag: exists() } }, ['expected header etag to exist, got undefined'], {}],
    [
      'json equal',
      { json: { '$.title': 'bread' } },
      ['expected json $.title to equal "bread", got "milk"'],
      {},
    ],
    [
      'json deep',
      { json: { user: { name: 'root' } } },
      ['expected json user to equal {"name":"root"}, got {"name":"demo"}'],
      {},
    ],
    ['json above', { json: { id: above(10) } }, ['expected json id to be above 10, got 7'], {}],
    ['json atMost', { json: { id: atMost(7) } }, [], {}],
    ['json type', { json: { id: isType('string') } }, ['expected json id to be of type string, got 7'], {}],
    ['json length', { json: { tags: hasLength(2) } }, ['expected json tags to have length 2, got ["a"]'], {}],
    ['json array length path', { json: { 'tags.length': 1, 'tags[0]': 'a' } }, [], {}],
    [
      'json oneOf',
      { json: { title: oneOf(['tea', 'coffee']) } },
      ['expected json title to be one of ["tea","coffee"], got "milk"'],
      {},
    ],
    ['json matches', { json: { title: matches(/^m/) } }, [], {}],
    [
      'json nonEmpty',
      { json: { missing: nonEmpty() } },
      ['expected json missing to be non-empty, got undefined'],
      {},
    ],
    [
      'json not json',
      { json: { id: 1 } },
      ['expected a JSON body, got "<html>" (Unexpected token \'<\', "<html>" is not valid JSON)'],
      { body: '<html>' },
    ],
    [
      'body contains',
      { bodyContains: ['milk', 'eggs'] },
      [
        'expected body to contain "eggs", got "{\\"id\\":7,\\"title\\":\\"milk\\",\\"tags\\":[\\"a\\"],\\"user\\":{\\"name\\":\\"demo\\"}}"',
      ],
      {},
    ],
    ['body matches', { bodyMatches: /"id":\d+/ }, [], {}],
    ['duration', { maxDurationMs: 40 }, ['expected duration at most 40 ms, got 42.3 ms'], {}],
    [
      'several at once',
      { status: 500, json: { id: 8 }, maxDurationMs: 10 },
      [
        'expected status 500, got 200',
        'expected json id to equal 8, got 7',
        'expected duration at most 10 ms, got 42.3 ms',
      ],
      {},
    ],
  ])('%s', (_name, exp, failures, over) => {
    expect(checkResponse(response(over), exp)).toEqual(failures);
  });

  it('throws one AssertionError that names the request and every failure', () => {
    let err: unknown;
    try {
      assertResponse(response(), { status: 201, json: { id: 8 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AssertionError);
    expect((err as AssertionError).message).toBe(
      'GET http://app/api/items/7: expected status 201, got 200; expected json id to equal 8, got 7',
    );
    expect((err as AssertionError).type).toBe('assertion');
    expect((err as AssertionError).failures).toHaveLength(2);
  });
});

describe('JSON paths', () => {
  const doc = { a: { b: [{ c: 1 }, { 'odd key': 2 }] }, s: 'abc' };
  it.each([
    ['$.a.b[0].c', 1],
    ['a.b.0.c', 1],
    ["a.b[1]['odd key']", 2],
    ['a.b.length', 2],
    ['s.length', 3],
    ['a.missing.deeper', undefined],
    ['$', doc],
  ])('%s', (p, want) => {
    expect(getJsonPath(doc, p)).toEqual(want);
  });

  it('rejects what it cannot read', () => {
    expect(() => parseJsonPath('a[*]')).toThrow('invalid JSON path "a[*]" at "[*]"');
  });
});
