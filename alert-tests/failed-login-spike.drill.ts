import { alertFires, badTraffic, defineDrill, logsArrive, slackMessage } from 'firedrill';

// firedrill itself guesses passwords, 10 a second for 15 s: FailedLoginSpike warns, and every
// failed attempt's log entry (found by the request ids firedrill sent) must pass the schema.
export default defineDrill({
  id: 'failed-login-spike',
  name: 'Failed-login spike warns #alerts-warning',
  fault: badTraffic({ kind: 'failed-logins', ratePerSec: 10, durationSec: 15 }),
  expect: [
    alertFires('FailedLoginSpike', { labels: { severity: 'warning' }, within: '30s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'FailedLoginSpike', within: '30s' }),
    logsArrive({ index: 'app-logs-*', schema: 'backend', match: { event: 'login_failed' }, within: '30s' }),
  ],
  resolve: { within: '45s' },
});
