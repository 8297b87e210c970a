import { alertFires, appFault, defineDrill, logsArrive, slackMessage } from 'firedrill';

// Every /api request fails with 500: HighApiErrorRate (critical) must page #alerts-critical, the
// failed requests' access logs must reach the log store intact, and all of it must clear.
export default defineDrill({
  id: 'api-error-rate',
  name: 'API error rate: 5xx on /api pages the critical channel',
  fault: appFault({ kind: 'error-rate', rate: 1, status: 500, ttl: '90s' }),
  traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 10 },
  expect: [
    alertFires('HighApiErrorRate', { labels: { severity: 'critical' }, within: '30s' }),
    slackMessage({ channel: '#alerts-critical', contains: 'HighApiErrorRate', within: '30s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', match: { status_code: 500 }, within: '30s' }),
  ],
  resolve: { within: '45s' },
});
