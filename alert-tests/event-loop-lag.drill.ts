import { alertFires, appFault, defineDrill, slackMessage } from 'firedrill';

// The event loop stalls 300 ms every 500 ms, as a synchronous parse or hash on the request path
// would stall it: the p99 event-loop delay passes 0.2 s and EventLoopLag warns. 300 ms stays
// well under the stack's 1 s scrape timeout, so Prometheus keeps scraping (a longer stall would
// read as the app being down and page AppDown instead). A scrape that a stall held up reports
// only the stalls before it, and may be stored too late for the evaluation after it: the alert
// then comes one scrape later than the pipeline alone would make it.
export default defineDrill({
  id: 'event-loop-lag',
  name: 'Event-loop lag: synchronous stalls warn #alerts-warning',
  fault: appFault({ kind: 'event-loop-block', blockMs: 300, everyMs: 500, ttl: '90s' }),
  expect: [
    alertFires('EventLoopLag', { labels: { severity: 'warning' }, within: '30s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'EventLoopLag', within: '30s' }),
  ],
  resolve: { within: '30s' },
});
