import { HOPS } from '../../packages/firedrill/src/metrics/drill-metrics.ts';
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

// Drills are rare (a game day, a nightly CI run) and mostly pushed by one-shot runs, so every
// panel reads the last-run gauges both `firedrill drill --push` and a long-lived process publish:
// a gauge is true at every scrape, where a pushed counter would restart at 1 with each run.
const SEL = 'job=~"$job", drill=~"$drill", environment=~"$environment"';

function build() {
  const d = dashboard(
    'firedrill-drills',
    'firedrill / Drills',
    'Alert drills: does each alert fire, reach Slack and resolve, and how long each hop takes against what the pipeline makes unavoidable.',
  )
    .withVariable(labelVariable('job', 'Source', 'label_values(firedrill_drill_last_result, job)'))
    .withVariable(
      labelVariable(
        'environment',
        'Environment',
        'label_values(firedrill_drill_last_result{job=~"$job"}, environment)',
      ),
    )
    .withVariable(
      labelVariable(
        'drill',
        'Drill',
        'label_values(firedrill_drill_last_result{job=~"$job", environment=~"$environment"}, drill)',
      ),
    );
  d.withRow(row('Outcomes'))
    .withPanel(
      stat(
        'Drills failing now',
        series(`sum(firedrill_drill_last_result{${SEL}, result=~"fail|error"})`, 'failing'),
        {
          unit: 'short',
          steps: RED_ABOVE(1),
          width: 6,
          description: 'Drills whose last run failed or errored.',
        },
      ),
    )
    .withPanel(
      stat(
        'Drills passing now',
        series(
          `sum(firedrill_drill_last_result{${SEL}, result="pass"}) / count(firedrill_drill_last_result{${SEL}, result="pass"})`,
          'passing',
        ),
        { unit: 'percentunit', steps: RED_BELOW(1), width: 6 },
      ),
    )
    .withPanel(
      stat(
        'Since the last drill',
        series(`time() - max(firedrill_drill_last_run_timestamp_seconds{${SEL}})`, 'age'),
        {
          unit: 's',
          steps: RED_ABOVE(26 * 3600),
          width: 6,
          description: 'Red after 26 h: a nightly drill has been missed.',
        },
      ),
    )
    .withPanel(
      stat(
        'Time to notify, last run',
        series(`max(firedrill_drill_last_hop_seconds{${SEL}, hop="notify"})`, 'notify'),
        { unit: 's', width: 6, description: 'Fault injected → the Slack message posted, slowest drill.' },
      ),
    )
    .withPanel(
      timeseries(
        'Passing, by drill',
        [
          series(
            `max by (drill, environment) (firedrill_drill_last_result{${SEL}, result="pass"})`,
            '{{drill}} @ {{environment}}',
          ),
        ],
        { unit: 'bool_yes_no', min: 0, max: 1, width: 12 },
      ),
    )
    .withPanel(
      timeseries(
        'Drill duration',
        [
          series(
            `max by (drill, environment) (firedrill_drill_last_duration_seconds{${SEL}})`,
            '{{drill}} @ {{environment}}',
          ),
        ],
        { unit: 's', min: 0, width: 12 },
      ),
    )
    .withRow(row('Hop latencies'))
    .withPanel(
      timeseries(
        'Hop latency, each run',
        [series(`max by (drill, hop) (firedrill_drill_last_hop_seconds{${SEL}})`, '{{drill}} / {{hop}}')],
        {
          unit: 's',
          min: 0,
          width: 12,
          description: `Hops: ${HOPS.join(', ')} — fault to alert firing, to Alertmanager, to Slack, to logs; rollback to resolved and to the resolved message.`,
        },
      ),
    )
    .withPanel(
      timeseries(
        "Beyond the pipeline's minimum",
        [
          series(
            `max by (drill, hop) (firedrill_drill_last_hop_seconds{${SEL}}) - on (drill, hop) max by (drill, hop) (firedrill_drill_last_hop_expected_seconds{${SEL}})`,
            '{{drill}} / {{hop}}',
          ),
        ],
        {
          unit: 's',
          width: 12,
          description:
            "Measured minus what the live scrape, evaluation, for and group_wait timing made unavoidable: firedrill's, the network's and the rule's own build-up share.",
        },
      ),
    );
  return d.build();
}

export const drillsDashboard: DashboardFile = { file: 'firedrill-drills.json', dashboard: build() };
