import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, scrape, startApp, type TestApp } from './helpers.ts';

interface ImageView {
  id: string;
  status: 'queued' | 'processing' | 'done' | 'failed';
  durationMs?: number;
  error?: string;
  outputs?: { thumbnail: string; grayscale: string };
}

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startApp();
  token = await app.login();
});
afterAll(async () => {
  await app.close();
});

/** A real, noisy photo-like image so that the encoders have work to do. */
async function makeImage(format: 'png' | 'jpeg' | 'webp', width = 640, height = 400): Promise<Buffer> {
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

function upload(
  data: Buffer,
  options: { field?: string; filename?: string; type?: string; token?: string } = {},
) {
  const form = new FormData();
  form.append(
    options.field ?? 'image',
    new Blob([new Uint8Array(data)], { type: options.type ?? 'image/png' }),
    options.filename ?? 'photo.png',
  );
  return app.request('/api/images', { method: 'POST', body: form, token: options.token ?? token });
}

async function waitUntilFinished(id: string): Promise<ImageView> {
  for (let i = 0; i < 200; i++) {
    const view = (await (await app.request(`/api/images/${id}`, { token })).json()) as ImageView;
    if (view.status === 'done' || view.status === 'failed') return view;
    await sleep(25);
  }
  throw new Error(`image ${id} did not finish`);
}

describe('image upload and processing', () => {
  it.each(['png', 'jpeg', 'webp'] as const)(
    'processes a %s into a 128 px thumbnail and a grayscale copy',
    async (format) => {
      const before = await scrape(app);
      const response = await upload(await makeImage(format), {
        type: `image/${format}`,
        filename: `photo.${format}`,
      });
      expect(response.status).toBe(202);
      const accepted = (await response.json()) as { id: string; status: string };
      expect(accepted).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
      expect(response.headers.get('location')).toBe(`/api/images/${accepted.id}`);

      const view = await waitUntilFinished(accepted.id);
      expect(view).toMatchObject({
        id: accepted.id,
        status: 'done',
        durationMs: expect.any(Number),
        outputs: {
          thumbnail: `/api/images/${accepted.id}/thumbnail`,
          grayscale: `/api/images/${accepted.id}/grayscale`,
        },
      });

      const thumbnail = await app.request(view.outputs!.thumbnail, { token });
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/png');
      const thumbMeta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      expect([thumbMeta.format, thumbMeta.width, thumbMeta.height]).toEqual(['png', 128, 128]);

      const grayscale = await app.request(view.outputs!.grayscale, { token });
      expect(grayscale.headers.get('content-type')).toBe('image/jpeg');
      const grayMeta = await sharp(Buffer.from(await grayscale.arrayBuffer())).metadata();
      expect([grayMeta.format, grayMeta.channels, grayMeta.width, grayMeta.height]).toEqual([
        'jpeg',
        1,
        640,
        400,
      ]);

      const after = await scrape(app);
      const delta = (name: string, labels = {}) =>
        (metricValue(after, name, labels) ?? 0) - (metricValue(before, name, labels) ?? 0);
      expect(delta('image_jobs_total', { result: 'done' })).toBe(1);
      expect(delta('image_processing_duration_seconds_count')).toBe(1);
    },
  );

  it('lists the user’s images and hides them from other users', async () => {
    const { id } = (await (await upload(await makeImage('png', 64, 64))).json()) as { id: string };
    await waitUntilFinished(id);
    const mine = (await (await app.request('/api/images', { token })).json()) as { images: ImageView[] };
    expect(mine.images.map((i) => i.id)).toContain(id);
    const admin = await app.login('admin', 'admin-password');
    expect((await app.request(`/api/images/${id}`, { token: admin })).status).toBe(404);
    expect((await app.request(`/api/images/${id}/thumbnail`, { token: admin })).status).toBe(404);
  });

  it('marks an image that cannot be decoded as failed and counts it', async () => {
    const png = await makeImage('png');
    // The header (and so sharp's metadata) is intact; the pixel data is cut off.
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    const response = await upload(truncated);
    expect(response.status).toBe(202);
    const view = await waitUntilFinished(((await response.json()) as { id: string }).id);
    expect(view.status).toBe('failed');
    expect(view.error).toBeTruthy();
    expect(metricValue(await scrape(app), 'image_jobs_total', { result: 'failed' })).toBeGreaterThanOrEqual(
      1,
    );
    await app.waitForLog(
      (l) => l.event === 'image_failed' && l.level === 'error' && typeof l.err === 'object',
    );
  });
});

describe('upload rejections', () => {
  it('rejects more than 5 MB with 413 payload_too_large', async () => {
    const response = await upload(Buffer.alloc(5 * 1024 * 1024 + 1, 1));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: 'payload_too_large',
      message: 'image exceeds 5 MB',
    });
  });

  it.each([
    ['text named .png', Buffer.from('definitely not an image'), 'photo.png', 'image/png'],
    [
      'an SVG',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      'x.svg',
      'image/svg+xml',
    ],
    ['a PDF header', Buffer.from('%PDF-1.4\n%âãÏÓ\n'), 'photo.jpg', 'image/jpeg'],
  ])('rejects %s with 415 unsupported_media_type, judged by content', async (_case, data, filename, type) => {
    const response = await upload(data, { filename, type });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      error: 'unsupported_media_type',
      message: 'upload is not a supported image (jpeg, png, webp, gif, avif, tiff)',
    });
  });

  it('rejects a JSON body with 415', async () => {
    const response = await app.request('/api/images', { method: 'POST', token, json: { image: 'x' } });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('rejects a file in another field with 400 naming the field', async () => {
    const response = await upload(await makeImage('png', 8, 8), { field: 'file' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'validation_error',
      message: 'image: expected the file in field "image", got "file"',
    });
  });

  it('needs a session', async () => {
    const form = new FormData();
    form.append(
      'image',
      new Blob([new Uint8Array(await makeImage('png', 8, 8))], { type: 'image/png' }),
      'a.png',
    );
    expect((await app.request('/api/images', { method: 'POST', body: form })).status).toBe(401);
  });

  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])(
    'answers 404 for image id %s',
    async (id) => {
      const response = await app.request(`/api/images/${id}`, { token });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found', message: 'image not found' });
    },
  );
});
