import { setTimeout as sleep } from 'node:timers/promises';
import { AssertionError, defineProbe, exists } from 'firedrill';
import sharp from 'sharp';
import { logIn } from './api.probe.ts';

/** A real PNG with fresh noise each run, so no cache on the way can answer for the processing. */
function testImage(): Promise<Buffer> {
  return sharp({
    create: {
      width: 320,
      height: 200,
      channels: 3,
      background: '#204060',
      noise: { type: 'gaussian', mean: 120, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
}

interface ImageJob {
  id: string | number;
  status: 'queued' | 'processing' | 'done' | 'failed';
  error?: string;
  outputs?: { thumbnail?: string };
}

/** How often to ask whether the job is done; a tenth of the usual processing time of a small image. */
const POLL_MS = 150;

export default defineProbe({
  id: 'image-processing-http',
  name: 'Image upload and processing over the API',
  kind: 'http',
  schedule: '*/10 * * * *',
  timeoutMs: 45_000,
  retries: 1,
  tags: ['api', 'images'],
  async run(ctx) {
    const { step, signal } = ctx;
    const api = await logIn(ctx);
    const id = await step('upload image', async () => {
      const form = new FormData();
      form.append(
        'image',
        new Blob([new Uint8Array(await testImage())], { type: 'image/png' }),
        'firedrill-probe.png',
      );
      const res = await api.post('/api/images', {
        body: form,
        expect: { status: 202, json: { id: exists(), status: 'queued' }, maxDurationMs: 5000 },
      });
      return res.json<ImageJob>().id;
    });
    const thumbnail = await step('wait for processing', async () => {
      for (;;) {
        const job = (await api.get(`/api/images/${id}`, { expect: { status: 200 } })).json<ImageJob>();
        if (job.status === 'done') {
          if (!job.outputs?.thumbnail)
            throw new AssertionError(`image ${id} is done but lists no thumbnail output`);
          return job.outputs.thumbnail;
        }
        if (job.status === 'failed')
          throw new AssertionError(`image ${id} failed to process: ${job.error ?? 'no reason given'}`);
        await sleep(POLL_MS, undefined, { signal });
      }
    });
    await step('fetch thumbnail', async () => {
      const res = await api.get(thumbnail, {
        expect: { status: 200, headers: { 'content-type': /^image\// } },
      });
      const meta = await sharp(res.body)
        .metadata()
        .catch((err: Error) => {
          throw new AssertionError(`GET ${res.url}: thumbnail does not decode as an image (${err.message})`);
        });
      if (!meta.width || !meta.height || meta.width > 128 || meta.height > 128) {
        throw new AssertionError(
          `GET ${res.url}: expected a thumbnail of at most 128×128, got ${meta.width}×${meta.height}`,
        );
      }
    });
  },
});
