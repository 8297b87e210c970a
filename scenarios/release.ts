/**
 * Every flow at once, as a release gate: minutes of login, API and image-processing load with all
 * SLOs enforced. `-e PROFILE=soak` runs the same mix for an hour.
 */

import { imageProcessingThresholds } from './image-processing.ts';
import { FLOWS, profileFromEnv } from './lib/env.ts';
import { loadOptions } from './lib/profiles.ts';

export { apiFlow } from './api.ts';
export { imageProcessingFlow } from './image-processing.ts';
export { loginFlow } from './login.ts';

export const options = loadOptions(FLOWS, profileFromEnv('release'), imageProcessingThresholds);
