import { alertFires, appFault, defineDrill, logsArrive, slackMessage } from 'firedrill';

// 1.5 s added to every /api response: the p95 crosses the 1 s threshold of SlowApiResponses (warning).
export default defineDrill({
  id: 'slow-api-responses',
  name: 'Slow responses: p95 above 1 s warns #alerts-warning',
  fault: appFault({ kind: 'latency', latencyMs: 1500, ttl: '90s' }),
  traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 5, maxInFlight: 16 },
  expect: [
    alertFires('SlowApiResponses', { labels: { severity: 'warning' }, within: '30s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'SlowApiResponses', within: '30s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', match: { event: 'http_request' }, within: '30s' }),
  ],
  resolve: { within: '45s' },
});
