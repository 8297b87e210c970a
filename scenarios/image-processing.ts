/**
 * Image processing under load: upload a small PNG (multipart field `image`, 202 with an id), then
 * poll until the app reports it `done`. The time from upload to done is a custom Trend with its
 * own SLO — the request timings alone would only show how fast the app says "queued".
 */

import { check, sleep } from 'k6';
import http from 'k6/http';
import { Trend } from 'k6/metrics';
import { dropSessionToken, sessionToken } from './lib/auth.ts';
import { baseUrl, profileFromEnv } from './lib/env.ts';
import { SMALL_PNG } from './lib/png.ts';
import { loadOptions } from './lib/profiles.ts';
import { checkResponse, type StepRef, stepParams } from './lib/request.ts';
import { IMAGE_PROCESSING_SLO } from './lib/slo.ts';

/** Upload accepted → status `done`, in ms (`true`: a time, so k6 prints it as one). */
export const imageProcessingDuration = new Trend('image_processing_duration', true);

export const imageProcessingThresholds = {
  'image_processing_duration{flow:image-processing}': [
    `p(95)<${IMAGE_PROCESSING_SLO.p95Ms}`,
    `p(99)<${IMAGE_PROCESSING_SLO.p99Ms}`,
  ],
};

export const options = loadOptions(['image-processing'], profileFromEnv('smoke'), imageProcessingThresholds);

// Bounded in count and in time: a stuck image ends the iteration, it never holds the VU.
const POLL_EVERY_S = 0.1;
const MAX_POLLS = 100;

function fieldOf(body: unknown, field: 'id' | 'status'): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function imageProcessingFlow(): void {
  const flow = 'image-processing';
  const token = sessionToken(flow);
  if (!token) return;
  const base = baseUrl();

  const upload: StepRef = { flow, step: 'upload', route: '/api/images', token };
  const uploadReq = stepParams(upload);
  const uploaded = http.post(
    `${base}/api/images`,
    { image: http.file(SMALL_PNG, 'firedrill-load.png', 'image/png') },
    uploadReq.params,
  );
  const id = fieldOf(uploaded.body, 'id');
  checkResponse(uploaded, upload, uploadReq.id, 202, { 'upload: returns an id': () => id !== undefined });
  if (uploaded.status === 401) dropSessionToken(flow);
  if (id === undefined) return;
  const acceptedAt = Date.now();

  const poll: StepRef = { flow, step: 'poll', route: '/api/images/:id', token };
  let status: string | undefined;
  for (let i = 0; i < MAX_POLLS; i++) {
    const pollReq = stepParams(poll);
    const res = http.get(`${base}/api/images/${id}`, pollReq.params);
    checkResponse(res, poll, pollReq.id, 200);
    status = fieldOf(res.body, 'status');
    if (res.status !== 200 || status === 'done' || status === 'failed') break;
    sleep(POLL_EVERY_S);
  }
  const done = status === 'done';
  if (done) imageProcessingDuration.add(Date.now() - acceptedAt, { flow });
  // A check rather than a thrown error: an image that never finishes counts against the checks SLO.
  check(done, { 'processed: status done': (d) => d }, { flow, step: 'processed' });
}

export default imageProcessingFlow;
