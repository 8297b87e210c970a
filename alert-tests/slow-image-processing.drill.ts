import { alertFires, appFault, defineDrill, slackMessage } from 'firedrill';

// Each image job takes 3 s longer: the mean processing time crosses 2 s and SlowImageProcessing
// warns. Uploads still answer 202 at once (processing is asynchronous), so the drill's traffic
// cannot see the fault itself: the alert is the only witness.
export default defineDrill({
  id: 'slow-image-processing',
  name: 'Slow image processing warns #alerts-warning',
  fault: appFault({ kind: 'slow-image', delayMs: 3000, ttl: '90s' }),
  traffic: {
    requests: [
      {
        path: '/api/images',
        method: 'POST',
        login: true,
        uploadImage: { field: 'image' },
        expectStatus: 202,
      },
    ],
    ratePerSec: 1,
    maxRequests: 20,
  },
  requireEffect: false,
  expect: [
    alertFires('SlowImageProcessing', { labels: { severity: 'warning' }, within: '40s' }),
    slackMessage({ channel: '#alerts-warning', contains: 'SlowImageProcessing', within: '40s' }),
  ],
  resolve: { within: '60s' },
});
