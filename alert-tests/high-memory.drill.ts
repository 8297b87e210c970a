import { alertFires, appFault, defineDrill, slackMessage } from 'firedrill';

// The app holds 600 MiB of touched memory: resident memory passes the fast profile's 512 MiB
// whatever the app held before, and HighMemoryUsage warns. The memory lives in a worker thread
// that rollback terminates, which hands every page back to the OS at once (measured: RSS back to
// its old ~110 MiB within the next scrape), so the alert resolves one scrape and evaluation later
// instead of waiting for a garbage collection that may never come.
export default defineDrill({
  id: 'high-memory',
  name: 'High memory: 600 MiB held warns #alerts-warning',
  fault: appFault({ kind: 'memory-hog', mb: 600, ttl: '90s' }),
  expect: [
    alertFires('HighMemoryUsage', { labels: { severity: 'warning' }, within: '30s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'HighMemoryUsage', within: '30s' }),
  ],
  resolve: { within: '30s' },
});
