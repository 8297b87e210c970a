import { APP_JOB } from '../alerting/rules.ts';
import {
  type DashboardFile,
  dashboard,
  labelVariable,
  logs,
  RED_ABOVE,
  row,
  series,
  stat,
  timeseries,
} from './panels.ts';

// The app's own metrics carry no job label: Prometheus adds it from the scrape config.
const JOB = `job="${APP_JOB}"`;
const ROUTES = `${JOB}, route=~"$route"`;
const RATE = '[$__rate_interval]';

const quantile = (q: number) =>
  series(
    `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${ROUTES}}${RATE})))`,
    `p${q * 100}`,
  );

function build() {
  return dashboard(
    'firedrill-app',
    'firedrill / App (RED)',
    'The app under test: rate, errors and duration of its requests, image processing, logins and its process, with its error logs from Elasticsearch.',
  )
    .withVariable(labelVariable('route', 'Route', `label_values(http_requests_total{${JOB}}, route)`))
    .withRow(row('Requests'))
    .withPanel(
      stat('Requests per second', series(`sum(rate(http_requests_total{${ROUTES}}${RATE}))`, 'rps'), {
        unit: 'reqps',
        width: 8,
      }),
    )
    .withPanel(
      stat(
        '5xx share',
        series(
          `sum(rate(http_requests_total{${ROUTES}, status_code=~"5.."}${RATE})) / sum(rate(http_requests_total{${ROUTES}}${RATE}))`,
          '5xx',
        ),
        {
          unit: 'percentunit',
          steps: RED_ABOVE(0.05),
          width: 8,
          description: 'HighApiErrorRate fires above 5 %.',
        },
      ),
    )
    .withPanel(
      stat('p95 latency', quantile(0.95), {
        unit: 's',
        steps: RED_ABOVE(1),
        width: 8,
        description: 'SlowApiResponses fires above 1 s on /api.',
      }),
    )
    .withPanel(
      timeseries(
        'Rate by route',
        [series(`sum by (route) (rate(http_requests_total{${ROUTES}}${RATE}))`, '{{route}}')],
        { unit: 'reqps', stacked: true },
      ),
    )
    .withPanel(
      timeseries(
        'Rate by status code',
        [series(`sum by (status_code) (rate(http_requests_total{${ROUTES}}${RATE}))`, '{{status_code}}')],
        { unit: 'reqps', stacked: true },
      ),
    )
    .withPanel(timeseries('Latency', [quantile(0.5), quantile(0.95), quantile(0.99)], { unit: 's', min: 0 }))
    .withPanel(
      timeseries(
        'p95 latency by route',
        [
          series(
            `histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket{${ROUTES}}${RATE})))`,
            '{{route}}',
          ),
        ],
        { unit: 's', min: 0 },
      ),
    )
    .withRow(row('Image processing, logins, suspicious requests'))
    .withPanel(
      timeseries(
        'Image processing time',
        [
          series(
            `histogram_quantile(0.95, sum by (le) (rate(image_processing_duration_seconds_bucket{${JOB}}${RATE})))`,
            'p95',
          ),
          series(
            `sum(rate(image_processing_duration_seconds_sum{${JOB}}${RATE})) / sum(rate(image_processing_duration_seconds_count{${JOB}}${RATE}))`,
            'mean',
          ),
        ],
        { unit: 's', min: 0, width: 8, description: 'SlowImageProcessing fires when the mean passes 2 s.' },
      ),
    )
    .withPanel(
      timeseries(
        'Image jobs by result',
        [series(`sum by (result) (rate(image_jobs_total{${JOB}}${RATE}))`, '{{result}}')],
        { unit: 'ops', stacked: true, width: 8 },
      ),
    )
    .withPanel(
      timeseries(
        'Login attempts by result',
        [series(`sum by (result) (rate(login_attempts_total{${JOB}}${RATE}))`, '{{result}}')],
        { unit: 'ops', width: 8, description: 'FailedLoginSpike fires above 0.5 failures per second.' },
      ),
    )
    .withPanel(
      timeseries(
        'Suspicious requests by reason',
        [series(`sum by (reason) (rate(suspicious_requests_total{${JOB}}${RATE}))`, '{{reason}}')],
        { unit: 'ops', stacked: true },
      ),
    )
    .withPanel(
      timeseries(
        'Database query time (mean) by operation',
        [
          series(
            `sum by (operation) (rate(db_query_duration_seconds_sum{${JOB}}${RATE})) / sum by (operation) (rate(db_query_duration_seconds_count{${JOB}}${RATE}))`,
            '{{operation}}',
          ),
        ],
        { unit: 's', min: 0 },
      ),
    )
    .withRow(row('Process'))
    .withPanel(
      timeseries(
        'CPU (share of one core)',
        [series(`rate(process_cpu_seconds_total{${JOB}}${RATE})`, 'cpu')],
        {
          unit: 'percentunit',
          min: 0,
          width: 8,
        },
      ),
    )
    .withPanel(
      timeseries('Resident memory', [series(`process_resident_memory_bytes{${JOB}}`, 'rss')], {
        unit: 'bytes',
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseries('Event-loop lag p99', [series(`nodejs_eventloop_lag_p99_seconds{${JOB}}`, 'p99')], {
        unit: 's',
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      timeseries(
        'Faults active (drills)',
        [series(`sum by (kind) (app_faults_active{${JOB}})`, '{{kind}}')],
        {
          unit: 'short',
          min: 0,
          width: 24,
          height: 5,
          description: "Faults injected through the app's fault endpoint: what a drill is doing right now.",
        },
      ),
    )
    .withRow(row('Logs'))
    .withPanel(logs('Errors and warnings (Elasticsearch app-logs-*)', 'level:(error OR fatal OR warn)'))
    .build();
}

export const appDashboard: DashboardFile = { file: 'firedrill-app.json', dashboard: build() };
