import { defineDrill, injectAlert, noSlackMessage, slackMessage } from 'firedrill';

// Routing only: nothing is broken. One alert per severity goes straight into Alertmanager (with
// this run's drill_id), and each must land in its own channel and nowhere else.
export default defineDrill({
  id: 'alert-routing',
  name: 'Routing: each severity lands in its own Slack channel only',
  fault: [
    injectAlert({ labels: { alertname: 'FiredrillRoutingCritical', severity: 'critical' }, endsAfter: '5m' }),
    injectAlert({ labels: { alertname: 'FiredrillRoutingWarning', severity: 'warning' }, endsAfter: '5m' }),
  ],
  expect: [
    slackMessage({ channel: '#alerts-critical', alert: 'FiredrillRoutingCritical', within: '15s' }),
    slackMessage({ channel: '#alerts-warning', alert: 'FiredrillRoutingWarning', within: '15s' }),
    noSlackMessage({ channel: '#alerts-warning', alert: 'FiredrillRoutingCritical', within: '5s' }),
    noSlackMessage({ channel: '#alerts-critical', alert: 'FiredrillRoutingWarning', within: '5s' }),
  ],
  resolve: { within: '30s' },
});
