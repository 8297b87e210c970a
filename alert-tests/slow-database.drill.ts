import { alertFires, appFault, defineDrill, logsArrive, slackMessage } from 'firedrill';

// Every /api request waits 500 ms for the database before its first query: the mean query time
// of that operation passes 0.25 s and SlowDatabaseQueries warns. The database is only slow for
// requests, so the drill keeps some coming; they turn slow (the fault took effect) and their
// access logs must reach the log store intact.
export default defineDrill({
  id: 'slow-database',
  name: 'Slow database queries warn #alerts-warning',
  fault: appFault({ kind: 'slow-db', delayMs: 500, ttl: '90s' }),
  // Slower than 450 ms is the fault's doing: a loaded machine's ordinary answer stays below it.
  traffic: { requests: [{ path: '/api/items', login: true }], ratePerSec: 4, slowMs: 450 },
  expect: [
    alertFires('SlowDatabaseQueries', { labels: { severity: 'warning' }, within: '30s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'SlowDatabaseQueries', within: '30s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', match: { event: 'http_request' }, within: '30s' }),
  ],
  resolve: { within: '45s' },
});
