import { alertFires, appFault, defineDrill, slackMessage } from '../src/drills/define.ts';

// Two threads of the app spin in a busy loop: process CPU passes 0.9 of a core and HighCpuUsage
// warns. The spinning runs in worker threads, so the event loop still answers every scrape and
// the alert path is measured, not a starved app. Two threads leave headroom: on a 2-core box
// shared with other work, each still gets well over the half core the pair needs.
export default defineDrill({
  id: 'resource-exhaustion',
  name: 'Resource exhaustion: CPU-bound threads warn #alerts-warning',
  fault: appFault({ kind: 'cpu-burn', threads: 2, ttl: '90s' }),
  expect: [
    alertFires('HighCpuUsage', { labels: { severity: 'warning' }, within: '40s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'HighCpuUsage', within: '40s' }),
  ],
  resolve: { within: '45s' },
});
