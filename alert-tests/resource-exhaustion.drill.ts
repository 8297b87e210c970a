import { alertFires, badTraffic, defineDrill, slackMessage } from '../src/drills/define.ts';

// Resource exhaustion the way it happens in production: a credential-stuffing flood. Every
// failed login costs the app an scrypt hash (N=2^14) on libuv's thread pool, so 40 guesses a
// second hold more than one core (measured here: 1.1–1.7 cores on 2), and HighCpuUsage warns.
// The reference app has no CPU or memory fault of its own; this needs none. It does need the
// app to get 0.9 of a core: on a machine already loaded to ~10 runnable threads per 2 cores,
// the scheduler gives its four hashing threads less, and the alert rightly never fires.
export default defineDrill({
  id: 'resource-exhaustion',
  name: 'Resource exhaustion: a login flood saturates the CPU',
  fault: badTraffic({ kind: 'failed-logins', ratePerSec: 40, durationSec: 25 }),
  expect: [
    alertFires('HighCpuUsage', { labels: { severity: 'warning' }, within: '40s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'HighCpuUsage', within: '40s' }),
  ],
  resolve: { within: '45s' },
});
