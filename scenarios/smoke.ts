/**
 * Every flow at once for a few seconds: the CI gate and the integration test's check that the
 * scenarios still run against the app. Same flows and SLOs as `release.ts`; `PROFILE` overrides.
 */

import { imageProcessingThresholds } from './image-processing.ts';
import { FLOWS, profileFromEnv } from './lib/env.ts';
import { loadOptions } from './lib/profiles.ts';

export { apiFlow } from './api.ts';
export { imageProcessingFlow } from './image-processing.ts';
export { loginFlow } from './login.ts';

export const options = loadOptions(FLOWS, profileFromEnv('smoke'), imageProcessingThresholds);
