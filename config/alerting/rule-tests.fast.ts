import { type RuleTestSuite, appSeries as s } from '../build/promtool-tests.ts';

// Inputs are scraped every second, like the local stack in the fast profile. `J` is the label set
// of an alert aggregated per job, `JI` of one on a single target.
const J = { job: 'demo-app' };
const JI = { job: 'demo-app', instance: 'app' };
const api = (status: string, route = '/api/items') =>
  s('http_requests_total', { method: 'GET', route, status_code: status });
const bucket = (le: string, route = '/api/items') => s('http_request_duration_seconds_bucket', { route, le });

export const FAST_RULE_TESTS: RuleTestSuite = {
  profile: 'fast',
  interval: '1s',
  cases: [
    {
      alert: 'AppDown',
      name: 'fires on the first failed scrape, resolves on the first good one',
      series: { [s('up')]: '1x9 0x9 1x10' },
      expect: { '9s': [], '10s': [JI], '19s': [JI], '20s': [] },
    },
    {
      alert: 'AppDown',
      name: 'another job being down is not the app being down',
      series: { [s('up')]: '1x30', 'up{job="pushgateway",instance="pgw"}': '0x30' },
      expect: { '20s': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'the first 5xx creates a new series; it fires on the scrape that first shows it',
      series: { [api('200')]: '0+10x60', [api('500')]: '_x30 10+10x30' },
      expect: { '29s': [], '30s': [J], '45s': [J] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'a burst of 5xx inside one scrape interval still fires (plain increase() would miss it)',
      series: { [api('200')]: '0+10x60', [api('500')]: '_x30 20x30' },
      expect: { '30s': [J], '39s': [J], '40s': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'resolves 10s after the last 5xx',
      series: { [api('200')]: '0+10x60', [api('500')]: '0x19 10+10x9 100x30' },
      expect: { '19s': [], '20s': [J], '38s': [J], '39s': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'a 1% share of 5xx stays quiet',
      series: { [api('200')]: '0+99x60', [api('500')]: '0+1x60' },
      expect: { '30s': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: '5xx outside /api do not count',
      series: { [api('200')]: '0+10x60', [api('500', '/login')]: '_x20 10+10x40' },
      expect: { '20s': [], '30s': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'lifetime counters seen for the first time at Prometheus start do not fire',
      series: { [s('up')]: '1x60', [api('200')]: '1000+10x60', [api('500')]: '500x60' },
      expect: { '0s': [], '5s': [], '30s': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'after an app restart the reset counters count in full',
      series: {
        [s('up')]: '1x20 0x5 1x20',
        [api('200')]: '0+10x20 stale _x5 5+5x20',
        [api('500')]: '_x26 10+10x19',
      },
      expect: { '25s': [], '26s': [J], '35s': [J] },
    },
    {
      alert: 'SlowApiResponses',
      name: 'fires once more than 5% of requests land above 1s',
      series: {
        [bucket('0.1')]: '0+10x20 200x40',
        [bucket('1')]: '0+10x20 200x40',
        [bucket('2.5')]: '0+10x60',
        [bucket('+Inf')]: '0+10x60',
      },
      expect: { '20s': [], '21s': [J], '30s': [J] },
    },
    {
      alert: 'SlowApiResponses',
      name: 'the first requests to a new route are slow: new bucket series fire at once',
      series: {
        [bucket('0.1', '/api/new')]: '_x10 0x20',
        [bucket('1', '/api/new')]: '_x10 0x20',
        [bucket('2.5', '/api/new')]: '_x10 3x20',
        [bucket('+Inf', '/api/new')]: '_x10 3x20',
      },
      expect: { '9s': [], '10s': [J], '20s': [] },
    },
    {
      alert: 'SlowApiResponses',
      name: 'fast responses stay quiet',
      series: {
        [bucket('0.1')]: '0+10x60',
        [bucket('1')]: '0+10x60',
        [bucket('2.5')]: '0+10x60',
        [bucket('+Inf')]: '0+10x60',
      },
      expect: { '30s': [] },
    },
    {
      alert: 'FailedLoginSpike',
      name: 'a burst of 8 failed logins in one scrape fires, for one window',
      series: {
        [s('login_attempts_total', { result: 'success' })]: '0+1x40',
        [s('login_attempts_total', { result: 'failure' })]: '_x20 8x20',
      },
      expect: { '19s': [], '20s': [J], '29s': [J], '30s': [] },
    },
    {
      alert: 'FailedLoginSpike',
      name: 'a steady one failed login per second fires',
      series: { [s('login_attempts_total', { result: 'failure' })]: '0+1x40' },
      expect: { '20s': [J] },
    },
    {
      alert: 'FailedLoginSpike',
      name: '4 failed logins in the window stay quiet',
      series: { [s('login_attempts_total', { result: 'failure' })]: '_x20 4x20' },
      expect: { '20s': [], '25s': [] },
    },
    {
      alert: 'SuspiciousRequests',
      name: '3 suspicious requests in one scrape fire, for one window',
      series: { [s('suspicious_requests_total', { reason: 'path_traversal' })]: '_x20 3x20' },
      expect: { '19s': [], '20s': [J], '29s': [J], '30s': [] },
    },
    {
      alert: 'SuspiciousRequests',
      name: 'a single suspicious request stays quiet',
      series: { [s('suspicious_requests_total', { reason: 'sql_injection' })]: '_x20 1x20' },
      expect: { '20s': [] },
    },
    {
      alert: 'SlowImageProcessing',
      name: 'jobs going from 0.3s to 3s fire once the mean passes 2s',
      series: {
        [s('image_processing_duration_seconds_sum')]: '0+0.3x20 9+3x20',
        [s('image_processing_duration_seconds_count')]: '0+1x40',
      },
      expect: { '19s': [], '30s': [J] },
    },
    {
      alert: 'SlowImageProcessing',
      name: 'the very first image job, 4s long, fires',
      series: {
        [s('image_processing_duration_seconds_sum')]: '_x10 4x20',
        [s('image_processing_duration_seconds_count')]: '_x10 1x20',
      },
      expect: { '9s': [], '10s': [J], '20s': [] },
    },
    {
      alert: 'SlowImageProcessing',
      // What a restart left behind: x / 0 was +Inf, and fired on every restart of the demo app.
      name: 'a sum that grows while its count does not stays quiet (no +Inf)',
      series: {
        [s('image_processing_duration_seconds_sum')]: '0+0.5x40',
        [s('image_processing_duration_seconds_count')]: '3x40',
      },
      expect: { '15s': [], '30s': [] },
    },
    {
      alert: 'SlowImageProcessing',
      name: 'an idle app stays quiet',
      series: {
        [s('image_processing_duration_seconds_sum')]: '9x40',
        [s('image_processing_duration_seconds_count')]: '3x40',
      },
      expect: { '30s': [] },
    },
    {
      alert: 'SlowImageProcessing',
      name: '0.3s jobs stay quiet',
      series: {
        [s('image_processing_duration_seconds_sum')]: '0+0.3x40',
        [s('image_processing_duration_seconds_count')]: '0+1x40',
      },
      expect: { '30s': [] },
    },
    {
      alert: 'SlowDatabaseQueries',
      name: 'only the slow operation fires, labelled with it',
      series: {
        [s('db_query_duration_seconds_sum', { operation: 'select' })]: '0+0.5x40',
        [s('db_query_duration_seconds_count', { operation: 'select' })]: '0+1x40',
        [s('db_query_duration_seconds_sum', { operation: 'insert' })]: '0+0.01x40',
        [s('db_query_duration_seconds_count', { operation: 'insert' })]: '0+1x40',
      },
      expect: { '20s': [{ ...J, operation: 'select' }] },
    },
    {
      alert: 'SlowDatabaseQueries',
      name: 'a sum that grows while its count does not stays quiet (no +Inf)',
      series: {
        [s('db_query_duration_seconds_sum', { operation: 'select' })]: '0+0.5x40',
        [s('db_query_duration_seconds_count', { operation: 'select' })]: '7x40',
      },
      expect: { '15s': [], '30s': [] },
    },
    {
      alert: 'SlowDatabaseQueries',
      name: '5ms queries stay quiet',
      series: {
        [s('db_query_duration_seconds_sum', { operation: 'select' })]: '0+0.005x40',
        [s('db_query_duration_seconds_count', { operation: 'select' })]: '0+1x40',
      },
      expect: { '20s': [] },
    },
    {
      alert: 'HighMemoryUsage',
      name: 'fires while resident memory is above 512 MiB',
      series: { [s('process_resident_memory_bytes')]: '1.5e8x9 6e8x9 1.5e8x10' },
      expect: { '9s': [], '10s': [JI], '20s': [] },
    },
    {
      alert: 'HighMemoryUsage',
      name: '300 MB stays quiet',
      series: { [s('process_resident_memory_bytes')]: '3e8x20' },
      expect: { '10s': [] },
    },
    {
      alert: 'HighCpuUsage',
      name: 'a core busy from 20s on fires when the 5s window is all busy',
      series: { [s('process_cpu_seconds_total')]: '0+0.1x20 3+1x20' },
      expect: { '24s': [], '25s': [JI], '30s': [JI] },
    },
    {
      alert: 'HighCpuUsage',
      name: '10% of a core stays quiet',
      series: { [s('process_cpu_seconds_total')]: '0+0.1x40' },
      expect: { '30s': [] },
    },
    {
      alert: 'EventLoopLag',
      name: 'fires while the event loop lags by 800ms',
      series: { [s('nodejs_eventloop_lag_p99_seconds')]: '0.01x9 0.8x9 0.01x10' },
      expect: { '9s': [], '10s': [JI], '20s': [] },
    },
    {
      alert: 'EventLoopLag',
      name: '50ms lag stays quiet',
      series: { [s('nodejs_eventloop_lag_p99_seconds')]: '0.05x20' },
      expect: { '10s': [] },
    },
  ],
};
