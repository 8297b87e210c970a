import { type RuleTestSuite, appSeries as s } from '../build/promtool-tests.ts';

// A 15s scrape and evaluation interval, common in production. These cases pin that each rule
// waits out its `for` and ignores small or short-lived trouble; the fast suite pins the PromQL
// edge cases in detail.
const J = { job: 'demo-app' };
const JI = { job: 'demo-app', instance: 'app' };
const api = (status: string) =>
  s('http_requests_total', { method: 'GET', route: '/api/items', status_code: status });
const bucket = (le: string) => s('http_request_duration_seconds_bucket', { route: '/api/items', le });

export const DEFAULT_RULE_TESTS: RuleTestSuite = {
  profile: 'default',
  interval: '15s',
  cases: [
    {
      alert: 'AppDown',
      name: 'fires after 2m down',
      series: { [s('up')]: '1x3 0x20' },
      expect: { '2m45s': [], '3m': [JI] },
    },
    {
      alert: 'AppDown',
      name: 'one failed scrape stays quiet',
      series: { [s('up')]: '1x3 0 1x20' },
      expect: { '1m': [], '3m': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'a new 5xx series at 6m fires at once, after 2m pending',
      series: { [api('200')]: '0+100x60', [api('500')]: '_x24 200+200x36' },
      expect: { '7m45s': [], '8m': [J] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'a 1% share of 5xx stays quiet',
      series: { [api('200')]: '0+99x40', [api('500')]: '0+1x40' },
      expect: { '5m': [] },
    },
    {
      alert: 'HighApiErrorRate',
      name: 'lifetime counters seen for the first time at Prometheus start do not fire',
      series: { [api('200')]: '100000+100x40', [api('500')]: '50000x40' },
      expect: { '1m': [], '5m': [] },
    },
    {
      alert: 'SlowApiResponses',
      name: 'all requests between 1s and 2.5s fire after 5m',
      series: {
        [bucket('0.1')]: '0x40',
        [bucket('1')]: '0x40',
        [bucket('2.5')]: '0+10x40',
        [bucket('+Inf')]: '0+10x40',
      },
      expect: { '5m': [], '5m15s': [J] },
    },
    {
      alert: 'SlowApiResponses',
      name: 'fast responses stay quiet',
      series: {
        [bucket('0.1')]: '0+10x40',
        [bucket('1')]: '0+10x40',
        [bucket('2.5')]: '0+10x40',
        [bucket('+Inf')]: '0+10x40',
      },
      expect: { '6m': [] },
    },
    {
      alert: 'FailedLoginSpike',
      name: 'a spike of 3.3 per second from 6m fills the 5m window past 0.5/s at 6m45s, fires 2m later',
      series: { [s('login_attempts_total', { result: 'failure' })]: '0x23 50+50x36' },
      expect: { '8m30s': [], '8m45s': [J] },
    },
    {
      alert: 'FailedLoginSpike',
      name: '0.33 failed logins per second stay quiet',
      series: { [s('login_attempts_total', { result: 'failure' })]: '0+5x40' },
      expect: { '5m': [] },
    },
    {
      alert: 'SuspiciousRequests',
      name: 'a spike of 0.67 per second from 6m passes 0.1/s at 6m45s, fires 2m later',
      series: { [s('suspicious_requests_total', { reason: 'path_traversal' })]: '0x23 10+10x36' },
      expect: { '8m30s': [], '8m45s': [J] },
    },
    {
      alert: 'SuspiciousRequests',
      name: 'one suspicious request a minute stays quiet',
      series: { [s('suspicious_requests_total', { reason: 'path_traversal' })]: '0+0.25x40' },
      expect: { '5m': [] },
    },
    {
      alert: 'SlowImageProcessing',
      name: '3s jobs fire after 5m',
      series: {
        [s('image_processing_duration_seconds_sum')]: '0+30x60',
        [s('image_processing_duration_seconds_count')]: '0+10x60',
      },
      expect: { '5m': [], '5m15s': [J] },
    },
    {
      alert: 'SlowImageProcessing',
      name: '0.3s jobs stay quiet',
      series: {
        [s('image_processing_duration_seconds_sum')]: '0+3x60',
        [s('image_processing_duration_seconds_count')]: '0+10x60',
      },
      expect: { '10m': [] },
    },
    {
      alert: 'SlowDatabaseQueries',
      name: '0.5s selects fire after 5m',
      series: {
        [s('db_query_duration_seconds_sum', { operation: 'select' })]: '0+5x40',
        [s('db_query_duration_seconds_count', { operation: 'select' })]: '0+10x40',
      },
      expect: { '5m': [], '5m15s': [{ ...J, operation: 'select' }] },
    },
    {
      alert: 'SlowDatabaseQueries',
      name: '5ms queries stay quiet',
      series: {
        [s('db_query_duration_seconds_sum', { operation: 'select' })]: '0+0.05x40',
        [s('db_query_duration_seconds_count', { operation: 'select' })]: '0+10x40',
      },
      expect: { '6m': [] },
    },
    {
      alert: 'HighMemoryUsage',
      name: '2 GB fires after 10m',
      series: { [s('process_resident_memory_bytes')]: '2e9x50' },
      expect: { '9m45s': [], '10m': [JI] },
    },
    {
      alert: 'HighMemoryUsage',
      name: '600 MB, above the fast profile threshold, stays quiet',
      series: { [s('process_resident_memory_bytes')]: '6e8x50' },
      expect: { '10m': [] },
    },
    {
      alert: 'HighCpuUsage',
      name: 'a core busy from 6m passes 90% over 5m at 10m30s, fires 10m later',
      series: { [s('process_cpu_seconds_total')]: '0+1.5x23 36+15x70' },
      expect: { '20m15s': [], '20m30s': [JI] },
    },
    {
      alert: 'HighCpuUsage',
      name: '10% of a core stays quiet',
      series: { [s('process_cpu_seconds_total')]: '0+1.5x60' },
      expect: { '12m': [] },
    },
    {
      alert: 'EventLoopLag',
      name: '800ms lag fires after 5m',
      series: { [s('nodejs_eventloop_lag_p99_seconds')]: '0.8x30' },
      expect: { '4m45s': [], '5m': [JI] },
    },
    {
      alert: 'EventLoopLag',
      name: 'a one-minute lag spike stays quiet',
      series: { [s('nodejs_eventloop_lag_p99_seconds')]: '0.01x3 0.8x3 0.01x30' },
      expect: { '1m30s': [], '6m': [] },
    },
  ],
};
