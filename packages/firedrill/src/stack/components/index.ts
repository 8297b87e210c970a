import type { StackComponent } from '../../config/schema.ts';
import type { ComponentDefinition } from '../component.ts';
import { alertmanager } from './alertmanager.ts';
import { demoApp } from './demo-app.ts';
import { logShipper } from './log-shipper.ts';
import { opensearch } from './opensearch.ts';
import { prometheus } from './prometheus.ts';
import { pushgateway } from './pushgateway.ts';
import { slackSink } from './slack-sink.ts';

/** One definition per component; adding a component means one file and one line here. */
export const COMPONENTS: Record<StackComponent, ComponentDefinition> = {
  opensearch,
  'slack-sink': slackSink,
  'demo-app': demoApp,
  'log-shipper': logShipper,
  pushgateway,
  alertmanager,
  prometheus,
};
