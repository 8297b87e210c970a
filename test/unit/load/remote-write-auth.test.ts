import { describe, expect, it } from 'vitest';
import { k6RemoteWrite } from '../../../packages/firedrill/src/load/target.ts';

// k6's experimental-prometheus-rw output reads these variables; firedrill never puts them in argv.
describe('k6 remote write to a protected Prometheus', () => {
  it.each([
    [
      { url: 'http://p:9090', headers: {} },
      { url: 'http://p:9090', env: {} },
    ],
    [
      { url: 'https://u:p%40ss@mimir/prom/', headers: { 'X-Scope-OrgID': 'team-a' } },
      {
        url: 'https://mimir/prom',
        env: {
          K6_PROMETHEUS_RW_USERNAME: 'u',
          K6_PROMETHEUS_RW_PASSWORD: 'p@ss',
          'K6_PROMETHEUS_RW_HEADERS_X-Scope-OrgID': 'team-a',
        },
      },
    ],
    [
      {
        url: 'https://vm',
        headers: {},
        auth: { type: 'bearer' as const, token: 't0k' },
        tls: { ca: 'certs/ca.pem', insecureSkipVerify: false },
      },
      {
        url: 'https://vm',
        env: {
          K6_PROMETHEUS_RW_HEADERS_Authorization: 'Bearer t0k',
          SSL_CERT_FILE: '/srv/team/certs/ca.pem',
        },
      },
    ],
  ])('%j', (conn, expected) => {
    expect(k6RemoteWrite(conn, '/srv/team')).toEqual(expected);
  });

  it('refuses a client certificate, which the output cannot present', () => {
    expect(() =>
      k6RemoteWrite(
        { url: 'https://p', headers: {}, tls: { cert: 'c.pem', key: 'k.pem', insecureSkipVerify: false } },
        '/',
      ),
    ).toThrow('k6 remote write cannot present a client certificate (tls.cert): use a token or basic auth');
  });
});
