import { WEB_VITALS, webVitalMetric } from '../../packages/firedrill/src/metrics/probe-metrics.ts';
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

// Every probe series carries probe, kind and location (src/metrics/probe-metrics.ts); `job` tells
// the scheduler's scraped series ("firedrill") from one-shot runs' pushed ones ("firedrill-push").
// Only last-run gauges are read: they are what both paths publish, and they are true however
// rarely a probe runs (a pushed counter would restart at 1 with every CI run).
const SEL = 'job=~"$job", probe=~"$probe", location=~"$location"';

/** Google's "needs improvement" limits, in the series' unit: the colour turns red where users start to notice. */
const VITAL_POOR: Record<(typeof WEB_VITALS)[number], number> = {
  lcp: 4,
  fcp: 3,
  cls: 0.25,
  inp: 0.5,
  ttfb: 1.8,
};

function vitalPanel(vital: (typeof WEB_VITALS)[number]) {
  const unit = vital === 'cls' ? 'none' : 's';
  return timeseries(
    `${vital.toUpperCase()} by location`,
    [series(`avg by (location) (${webVitalMetric(vital)}{${SEL}})`, '{{location}}')],
    {
      unit,
      width: 8,
      min: 0,
      description: `Last browser run's ${vital.toUpperCase()} per location; poor above ${VITAL_POOR[vital]}${unit === 's' ? ' s' : ''}.`,
    },
  );
}

function build() {
  const d = dashboard(
    'firedrill-probes',
    'firedrill / Probes overview',
    'Synthetic probes: do the user flows work, how fast is each step, and what do real browsers measure, per location.',
  )
    .withVariable(labelVariable('job', 'Source', 'label_values(probe_success, job)'))
    .withVariable(labelVariable('location', 'Location', 'label_values(probe_success{job=~"$job"}, location)'))
    .withVariable(
      labelVariable(
        'probe',
        'Probe',
        'label_values(probe_success{job=~"$job", location=~"$location"}, probe)',
      ),
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
        'Failing now',
        series(`sum(firedrill_probe_last_result{${SEL}, result=~"fail|error"})`, 'failing'),
        { unit: 'short', steps: RED_ABOVE(1), description: 'Probes whose last run failed or errored.' },
      ),
    )
    .withPanel(
      stat('Flaky now', series(`sum(firedrill_probe_last_result{${SEL}, result="flaky"})`, 'flaky'), {
        unit: 'short',
        steps: RED_ABOVE(1),
        description: 'Probes whose last run passed only after a retry.',
      }),
    )
    .withPanel(
      stat(
        'Oldest last run',
        series(`time() - min(firedrill_probe_last_run_timestamp_seconds{${SEL}})`, 'age'),
        {
          unit: 's',
          steps: RED_ABOVE(26 * 3600),
          description:
            'How long ago the stalest probe last ran; red after 26 h, when a nightly run has been missed.',
        },
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
        'Last result by probe',
        [
          series(
            `max by (probe, location, result) (firedrill_probe_last_result{${SEL}, result!="pass"})`,
            '{{probe}} @ {{location}} {{result}}',
          ),
        ],
        {
          unit: 'bool_yes_no',
          min: 0,
          max: 1,
          description: '1 while the last run was flaky, failed or errored.',
        },
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
        'Step duration, last run',
        [
          series(
            `max by (probe, step) (firedrill_step_last_duration_seconds{${SEL}})`,
            '{{probe}} / {{step}}',
          ),
        ],
        {
          unit: 's',
          min: 0,
          description:
            "Each step of each probe's last run. The scheduler's firedrill_step_duration_seconds histogram has every run, for quantiles.",
        },
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
