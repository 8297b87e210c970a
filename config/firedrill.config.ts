import { defineConfig, env } from '../src/config/define.ts';

export default defineConfig({
  defaultEnvironment: 'local',
  environments: {
    // The embedded local stack (`firedrill stack up`): URLs come from its state file.
    local: {
      stack: true,
      location: env('FIREDRILL_LOCATION', 'local'),
      allowFaults: true,
      credentials: {
        username: env('FIREDRILL_USERNAME', 'demo')!,
        password: env('FIREDRILL_PASSWORD', 'demo-password')!,
      },
      faultToken: env('FIREDRILL_FAULT_TOKEN', 'local-fault-token'),
    },
  },
  stack: {
    profile: 'fast',
    opensearch: { version: '2.19.6', heapMb: 512 },
    slackChannels: { critical: '#alerts-critical', warning: '#alerts-warning' },
  },
});
