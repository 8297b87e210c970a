import { WEB_VITALS } from '../../packages/firedrill/src/metrics/probe-metrics.ts';
import {
  type DashboardFile,
  dashboard,
  labelVariable,
  RED_ABOVE,
  RED_BELOW,
  row,
  series,
  stat,
  timeseries,
} from './panels.ts';

// Every probe series carries probe, kind and location (src/metrics/probe-metrics.ts).
const SEL = 'probe=~"$probe", location=~"$location"';

/** Google's "needs improvement" limits: the colour turns red where users start to notice. */
const VITAL_POOR: Record<(typeof WEB_VITALS)[number], number> = {
  lcp: 4000,
  fcp: 3000,
  cls: 0.25,
  inp: 500,
  ttfb: 1800,
};

function vitalPanel(vital: (typeof WEB_VITALS)[number]) {
  const unit = vital === 'cls' ? 'none' : 'ms';
  return timeseries(
    `${vital.toUpperCase()} by location`,
    [series(`avg by (location) (probe_browser_web_vital_${vital}{${SEL}})`, '{{location}}')],
    {
      unit,
      width: 8,
      min: 0,
      description: `Last browser run's ${vital.toUpperCase()} per location; poor above ${VITAL_POOR[vital]}${unit === 'ms' ? ' ms' : ''}.`,
    },
  );
}

function build() {
  const d = dashboard(
    'firedrill-probes',
    'firedrill / Probes overview',
    'Synthetic probes: do the user flows work, how fast is each step, and what do real browsers measure, per location.',
  )
    .withVariable(labelVariable('location', 'Location', 'label_values(probe_success, location)'))
    .withVariable(
      labelVariable('probe', 'Probe', 'label_values(probe_success{location=~"$location"}, probe)'),
    )
    .withRow(row('Success'))
    .withPanel(
      stat(
        'Probes passing now',
        series(`sum(probe_success{${SEL}}) / count(probe_success{${SEL}})`, 'passing'),
        { unit: 'percentunit', steps: RED_BELOW(1), description: 'Share of probes whose last run passed.' },
      ),
    )
    .withPanel(
      stat(
        'Failed or errored runs (1h)',
        series(`sum(increase(firedrill_runs_total{${SEL}, result=~"fail|error"}[1h]))`, 'failed'),
        { unit: 'short', steps: RED_ABOVE(1) },
      ),
    )
    .withPanel(
      stat(
        'Flaky runs (1h)',
        series(`sum(increase(firedrill_runs_total{${SEL}, result="flaky"}[1h]))`, 'flaky'),
        {
          unit: 'short',
          steps: RED_ABOVE(1),
          description: 'Runs that passed only after a retry.',
        },
      ),
    )
    .withPanel(
      stat(
        'Skipped overlapping runs (1h)',
        series(`sum(increase(firedrill_skipped_runs_total{${SEL}}[1h]))`, 'skipped'),
        { unit: 'short', steps: RED_ABOVE(1), description: 'A tick came while the previous run still went.' },
      ),
    )
    .withPanel(
      timeseries(
        'Success by probe and location',
        [series(`min by (probe, location) (probe_success{${SEL}})`, '{{probe}} @ {{location}}')],
        { unit: 'bool_yes_no', min: 0, max: 1 },
      ),
    )
    .withPanel(
      timeseries(
        'Runs by result',
        [series(`sum by (result) (increase(firedrill_runs_total{${SEL}}[$__rate_interval]))`, '{{result}}')],
        { unit: 'short', stacked: true },
      ),
    )
    .withRow(row('Durations'))
    .withPanel(
      timeseries(
        'Probe duration',
        [series(`max by (probe, location) (probe_duration_seconds{${SEL}})`, '{{probe}} @ {{location}}')],
        { unit: 's', min: 0 },
      ),
    )
    .withPanel(
      timeseries(
        'Step duration p95',
        [
          series(
            `histogram_quantile(0.95, sum by (probe, step, le) (rate(firedrill_step_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
            '{{probe}} / {{step}}',
          ),
        ],
        { unit: 's', min: 0, description: 'From firedrill_step_duration_seconds: every step of every run.' },
      ),
    )
    .withPanel(
      timeseries(
        'HTTP phases (blackbox_exporter phases)',
        [series(`sum by (probe, phase) (probe_http_duration_seconds{${SEL}})`, '{{probe}} {{phase}}')],
        { unit: 's', min: 0, stacked: true, width: 24 },
      ),
    )
    .withRow(row('Web vitals (browser probes)'));
  for (const vital of WEB_VITALS) d.withPanel(vitalPanel(vital));
  return d.build();
}

export const probesDashboard: DashboardFile = { file: 'firedrill-probes.json', dashboard: build() };
