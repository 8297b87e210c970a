import { HOPS } from '../../packages/firedrill/src/drills/metrics.ts';
import {
  type DashboardFile,
  dashboard,
  labelVariable,
  RED_ABOVE,
  row,
  series,
  stat,
  timeseries,
  windowVariable,
} from './panels.ts';

// Drills are rare (a game day, a nightly run), so windows are hours, not the scrape-based
// $__rate_interval, which would show nothing between runs.
const WINDOW = '$window';
const SEL = 'drill=~"$drill"';

function hopPanel(quantile: number) {
  return timeseries(
    `Hop latency p${quantile * 100} (over ${WINDOW})`,
    [
      series(
        `histogram_quantile(${quantile}, sum by (drill, hop, le) (increase(firedrill_drill_hop_seconds_bucket{${SEL}}[${WINDOW}])))`,
        '{{drill}} / {{hop}}',
      ),
    ],
    {
      unit: 's',
      min: 0,
      description: `Hops: ${HOPS.join(', ')} — fault to alert firing, to Alertmanager, to Slack, to logs; rollback to resolved and to the resolved message.`,
    },
  );
}

function build() {
  const d = dashboard(
    'firedrill-drills',
    'firedrill / Drills',
    'Alert drills: does each alert fire, reach Slack and resolve, and how long each hop takes over time.',
  ).withVariable(labelVariable('drill', 'Drill', 'label_values(firedrill_drill_hop_seconds_bucket, drill)'));
  d.withVariable(windowVariable('window', 'Window', ['1h', '6h', '24h', '7d'], '6h'));
  d.withRow(row('Outcomes'))
    .withPanel(
      stat(
        'Drills failed (24h)',
        series(`sum(increase(firedrill_drill_runs_total{${SEL}, result=~"fail|error"}[24h]))`, 'failed'),
        { unit: 'short', steps: RED_ABOVE(1), width: 8 },
      ),
    )
    .withPanel(
      stat(
        'Drills passed (24h)',
        series(`sum(increase(firedrill_drill_runs_total{${SEL}, result="pass"}[24h]))`, 'passed'),
        {
          unit: 'short',
          width: 8,
        },
      ),
    )
    .withPanel(
      stat(
        'Time to notify, median (24h)',
        series(
          `histogram_quantile(0.5, sum by (le) (increase(firedrill_drill_hop_seconds_bucket{${SEL}, hop="notify"}[24h])))`,
          'notify',
        ),
        { unit: 's', width: 8, description: 'Fault injected → the Slack message seen.' },
      ),
    )
    .withPanel(
      timeseries(
        'Runs by result',
        [
          series(
            `sum by (drill, result) (increase(firedrill_drill_runs_total{${SEL}}[${WINDOW}]))`,
            '{{drill}} {{result}}',
          ),
        ],
        { unit: 'short', stacked: true, width: 24 },
      ),
    )
    .withRow(row('Hop latencies'))
    .withPanel(hopPanel(0.5))
    .withPanel(hopPanel(0.95))
    .withPanel(
      timeseries(
        `Mean hop latency (over ${WINDOW})`,
        [
          series(
            `sum by (hop) (increase(firedrill_drill_hop_seconds_sum{${SEL}}[${WINDOW}])) / sum by (hop) (increase(firedrill_drill_hop_seconds_count{${SEL}}[${WINDOW}]))`,
            '{{hop}}',
          ),
        ],
        { unit: 's', min: 0, width: 24 },
      ),
    );
  return d.build();
}

export const drillsDashboard: DashboardFile = { file: 'firedrill-drills.json', dashboard: build() };
