import { alertFires, appFault, defineDrill, slackMessage } from '../src/drills/define.ts';

// The event loop stalls 300 ms every 500 ms, as a synchronous parse or hash on the request path
// would stall it: the p99 event-loop delay passes 0.2 s and EventLoopLag warns. 300 ms stays
// well under the stack's 1 s scrape timeout, so Prometheus keeps scraping (a longer stall would
// read as the app being down and page AppDown instead). The scrape that a stall held up reports
// the lag measured before it, so the alert usually comes one scrape after the first stall.
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
