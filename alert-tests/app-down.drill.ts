import { alertFires, appFault, defineDrill, slackMessage } from 'firedrill';

// The app process exits: Prometheus' scrape fails (up == 0) and AppDown pages #alerts-critical.
// Rollback starts the app again through the local stack, and the alert must resolve.
export default defineDrill({
  id: 'app-down',
  name: 'App down: a crashed process pages the critical channel',
  environments: ['local'],
  fault: appFault({ kind: 'crash', ttl: '60s', restart: { stack: true } }),
  traffic: { requests: [{ path: '/healthz' }], ratePerSec: 4 },
  expect: [
    alertFires('AppDown', { labels: { severity: 'critical' }, within: '30s' }),
    slackMessage({ channel: '#alerts-critical', contains: 'AppDown', within: '30s' }),
  ],
  resolve: { within: '60s' },
});
