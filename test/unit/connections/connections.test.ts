import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../../../packages/firedrill/src/clients/http-types.ts';
import { PrometheusClient } from '../../../packages/firedrill/src/clients/prometheus.ts';
import { parseConfig } from '../../../packages/firedrill/src/config/load.ts';
import { backendTarget } from '../../../packages/firedrill/src/connections/backends.ts';
import { connectionFromEnv } from '../../../packages/firedrill/src/connections/from-env.ts';
import {
  BackendAccessError,
  httpTarget,
  redactUrl,
} from '../../../packages/firedrill/src/connections/http.ts';
import { connectionSchema } from '../../../packages/firedrill/src/connections/schema.ts';
import { makeTestCertificates, type TestCertificates } from '../../fixtures/tls/certificates.ts';

// What a protected backend sees, answered like Prometheus' query API when the credentials match.
function handler(expectAuth: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const seen = { authorization: req.headers.authorization, tenant: req.headers['x-scope-orgid'] };
    if (req.headers.authorization !== expectAuth) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="prometheus"' }).end('Unauthorized\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] }, seen }));
  };
}

const BASIC = `Basic ${Buffer.from('firedrill:s3cret').toString('base64')}`;
let certs: TestCertificates;
let tls: Server;
let mtls: Server;
let plain: ReturnType<typeof createHttpServer>;
const url = (s: { address(): AddressInfo | string | null }, scheme = 'https') =>
  `${scheme}://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  certs = makeTestCertificates();
  tls = createHttpsServer({ key: certs.pem.serverKey, cert: certs.pem.serverCert }, handler(BASIC));
  mtls = createHttpsServer(
    {
      key: certs.pem.serverKey,
      cert: certs.pem.serverCert,
      ca: certs.pem.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    handler(BASIC),
  );
  plain = createHttpServer(handler('Bearer tok-1'));
  for (const s of [tls, mtls, plain]) {
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
  }
});
afterAll(() => {
  for (const s of [tls, mtls, plain]) s.close();
});

describe('connection schema', () => {
  it('takes a bare URL or { url, auth, headers, tls }, always giving the object', () => {
    expect(connectionSchema.parse('http://prom:9090')).toEqual({ url: 'http://prom:9090', headers: {} });
    expect(
      connectionSchema.parse({
        url: 'https://mimir/prometheus',
        auth: { type: 'basic', username: 'u', password: 'p' },
        headers: { 'X-Scope-OrgID': 'team-a' },
        tls: { ca: 'ca.pem' },
      }),
    ).toEqual({
      url: 'https://mimir/prometheus',
      auth: { type: 'basic', username: 'u', password: 'p' },
      headers: { 'X-Scope-OrgID': 'team-a' },
      tls: { ca: 'ca.pem', insecureSkipVerify: false },
    });
  });

  it.each([
    [
      { prometheus: 'localhost:9090' },
      'environments.e.prometheus.url: expected an http(s) URL, got "localhost:9090"',
    ],
    [
      { prometheus: { url: 'http://p', auth: { type: 'basic', username: 'u' } } },
      'environments.e.prometheus.auth.password: expected a password (a string; read it with env())',
    ],
    [
      { alertmanager: { url: 'http://a', auth: { type: 'oauth' } } },
      'environments.e.alertmanager.auth.type: expected { type: "bearer", token } | { type: "basic", username, password } | { type: "apiKey", key }',
    ],
    [
      { elasticsearch: { url: 'https://es', tls: { cert: 'c.pem' } } },
      'environments.e.elasticsearch.tls.key: cert and key go together',
    ],
    [{ grafana: { url: 'http://g' } }, 'environments.e.grafana.token: required (or auth)'],
  ])('names the field and the reason: %j', (env, message) => {
    expect(() =>
      parseConfig(
        { environments: { e: { baseUrl: 'http://app', ...env } }, defaultEnvironment: 'e' },
        'f.ts',
      ),
    ).toThrow(`f.ts: ${message}`);
  });
});

describe('httpTarget', () => {
  it('takes userinfo in a URL as basic auth and never keeps it in the URL', () => {
    const t = httpTarget(
      { url: 'https://fire%40drill:p%3Ass@prom.example/prefix/', headers: { 'X-Scope-OrgID': 'a' } },
      { name: 'Prometheus' },
    );
    expect(t.baseUrl).toBe('https://prom.example/prefix');
    expect(t.headers).toEqual({
      'X-Scope-OrgID': 'a',
      authorization: `Basic ${Buffer.from('fire@drill:p:ss').toString('base64')}`,
    });
    expect(redactUrl('https://u:secret@prom.example/x')).toBe('https://***@prom.example/x');
    expect(redactUrl('http://prom.example/x')).toBe('http://prom.example/x');
  });

  it('names a CA file it cannot read, and where it is configured', () => {
    expect(() =>
      backendTarget(
        'prometheus',
        { url: 'https://p', headers: {}, tls: { ca: 'nope.pem', insecureSkipVerify: false } },
        { environment: 'staging', root: '/srv/team' },
      ),
    ).toThrow('environments.staging.prometheus.tls.ca: cannot read /srv/team/nope.pem: ENOENT');
  });
});

describe('a protected backend, for real over HTTP and TLS', () => {
  const place = { environment: 'staging' };

  it('sends basic auth and extra headers over TLS with the given CA', async () => {
    const prom = new PrometheusClient(
      backendTarget(
        'prometheus',
        {
          url: url(tls),
          auth: { type: 'basic', username: 'firedrill', password: 's3cret' },
          headers: { 'X-Scope-OrgID': 'team-a' },
          tls: { ca: certs.caFile, insecureSkipVerify: false },
        },
        place,
      ),
    );
    expect(await prom.query('up')).toEqual({ resultType: 'vector', result: [] });
    const raw = await requestJson<{ seen: unknown }>(prom.opts, '/api/v1/query', { query: { query: 'up' } });
    expect(raw.seen).toEqual({ authorization: BASIC, tenant: 'team-a' });
  });

  it('a wrong password is a BackendAccessError naming the backend, its config and the 401', async () => {
    const prom = new PrometheusClient(
      backendTarget(
        'prometheus',
        {
          url: url(tls),
          auth: { type: 'basic', username: 'firedrill', password: 'wrong' },
          headers: {},
          tls: { ca: certs.caFile, insecureSkipVerify: false },
        },
        place,
      ),
    );
    const err = await prom.query('up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendAccessError);
    expect((err as Error).message).toBe(
      `Prometheus (environments.staging.prometheus) at ${url(tls)}/api/v1/query?query=up answered HTTP 401 (Unauthorized): ` +
        'the credentials were refused; check its auth (token, username/password or API key)',
    );
  });

  it('a certificate from an unknown CA is a BackendAccessError, with the fix', async () => {
    const target = backendTarget('alertmanager', { url: url(tls), headers: {} }, place);
    const err = await requestJson(target, '/api/v2/status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendAccessError);
    expect((err as Error).message).toMatch(
      /^Alertmanager \(environments\.staging\.alertmanager\) at https:\/\/127\.0\.0\.1:\d+\/api\/v2\/status failed TLS verification \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\): give the CA/,
    );
  });

  it('insecureSkipVerify is explicit, and works', async () => {
    const target = backendTarget(
      'prometheus',
      {
        url: url(tls),
        headers: {},
        auth: { type: 'basic', username: 'firedrill', password: 's3cret' },
        tls: { insecureSkipVerify: true },
      },
      place,
    );
    await expect(requestJson(target, '/api/v1/query')).resolves.toMatchObject({ status: 'success' });
  });

  it('mutual TLS: with the client certificate it passes; without, the server refuses the handshake', async () => {
    const conn = {
      url: url(mtls),
      headers: {},
      auth: { type: 'basic' as const, username: 'firedrill', password: 's3cret' },
    };
    const withCert = backendTarget('elasticsearch', {
      ...conn,
      tls: { ca: certs.caFile, cert: certs.clientCert, key: certs.clientKey, insecureSkipVerify: false },
    });
    await expect(requestJson(withCert, '/')).resolves.toMatchObject({ status: 'success' });
    const without = backendTarget('elasticsearch', {
      ...conn,
      tls: { ca: certs.caFile, insecureSkipVerify: false },
    });
    await expect(requestJson(without, '/')).rejects.toThrow(
      'unreachable: UND_ERR_SOCKET (the server closed the TLS connection before answering: does it want a client certificate? tls.cert and tls.key)',
    );
  });

  it('bearer tokens and Grafana tokens go as Authorization: Bearer', async () => {
    const bearer = backendTarget('prometheus', {
      url: url(plain, 'http'),
      headers: {},
      auth: { type: 'bearer', token: 'tok-1' },
    });
    await expect(requestJson(bearer, '/')).resolves.toMatchObject({
      seen: { authorization: 'Bearer tok-1' },
    });
    const grafana = backendTarget('grafana', { url: url(plain, 'http'), headers: {}, token: 'tok-1' });
    await expect(requestJson(grafana, '/')).resolves.toMatchObject({
      seen: { authorization: 'Bearer tok-1' },
    });
  });
});

describe('connectionFromEnv', () => {
  it.each([
    [{}, undefined],
    [{ P_URL: 'http://p' }, 'http://p'],
    [
      { P_URL: 'https://p', P_USERNAME: 'u', P_PASSWORD: 'pw', P_CA_FILE: 'ca.pem' },
      { url: 'https://p', auth: { type: 'basic', username: 'u', password: 'pw' }, tls: { ca: 'ca.pem' } },
    ],
    [
      { P_URL: 'https://p', P_TOKEN: 't' },
      { url: 'https://p', auth: { type: 'bearer', token: 't' } },
    ],
    [
      { P_URL: 'https://es', P_API_KEY: 'k', P_HEADERS: 'X-Scope-OrgID=team-a, X-Other = 1' },
      {
        url: 'https://es',
        auth: { type: 'apiKey', key: 'k' },
        headers: { 'X-Scope-OrgID': 'team-a', 'X-Other': '1' },
      },
    ],
    [{ P_PASSWORD: 'pw' }, { url: 'http://default', auth: { type: 'basic', username: '', password: 'pw' } }],
  ])('%j → %j', (env, expected) => {
    const opts = 'P_PASSWORD' in env && !('P_URL' in env) ? { url: 'http://default' } : {};
    expect(connectionFromEnv('P', { ...opts, env })).toEqual(expected);
  });

  it('a password without a username is named by validation', () => {
    const prometheus = connectionFromEnv('P', { url: 'http://p', env: { P_PASSWORD: 'pw' } });
    expect(() =>
      parseConfig(
        { environments: { e: { baseUrl: 'http://app', prometheus } }, defaultEnvironment: 'e' },
        'f.ts',
      ),
    ).toThrow('f.ts: environments.e.prometheus.auth.username: username is empty');
  });
});
