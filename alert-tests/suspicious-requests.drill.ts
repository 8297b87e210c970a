import { alertFires, badTraffic, defineDrill, logsArrive, slackMessage } from 'firedrill';

// Path traversal, SQL and script injection attempts, 5 a second: the app rejects and counts them,
// and SuspiciousRequests warns.
export default defineDrill({
  id: 'suspicious-requests',
  name: 'Suspicious requests warn #alerts-warning',
  fault: badTraffic({ kind: 'suspicious', ratePerSec: 5, durationSec: 15 }),
  expect: [
    alertFires('SuspiciousRequests', { labels: { severity: 'warning' }, within: '30s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'SuspiciousRequests', within: '30s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', within: '30s' }),
  ],
  resolve: { within: '45s' },
});
