import { defineProbe, ProbeAssertionError, quoteText } from 'firedrill';
import sharp from 'sharp';
import { signIn } from './login.probe.ts';

/** A real PNG with fresh noise each run, so no cache on the way can answer for the processing. */
async function testImage(): Promise<Buffer> {
  return sharp({
    create: {
      width: 96,
      height: 64,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();
}

export default defineProbe({
  id: 'image-processing',
  name: 'Upload and process an image',
  kind: 'browser',
  schedule: '*/10 * * * *',
  timeoutMs: 45_000,
  retries: 1,
  tags: ['browser', 'images'],
  async run(ctx) {
    const { page, step, env } = ctx;
    await signIn(ctx);
    await step('open images page', async () => {
      await page.goto(new URL('/images', env.baseUrl).href);
      await page.getByTestId('image-form').waitFor();
    });
    await step('upload image', async () => {
      const buffer = await testImage();
      await page
        .getByTestId('image-file-input')
        .setInputFiles({ name: 'probe.png', mimeType: 'image/png', buffer });
      await page.getByTestId('image-upload-submit').click();
    });
    await step('processed thumbnail renders', async () => {
      const result = page.getByTestId('image-result-box');
      const failed = page.getByTestId('image-error');
      await result.or(failed).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
      if (await failed.isVisible()) {
        throw new ProbeAssertionError(`image processing failed: ${quoteText(await failed.textContent())}`);
      }
      // decode() settles once the bytes are loaded and decoded, and rejects for a broken image.
      const width = await page
        .getByTestId('image-result')
        .evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))
        .catch((err: Error) => {
          throw new ProbeAssertionError(`thumbnail is not a loadable image: ${err.message.split('\n')[0]}`);
        });
      if (!(width > 0)) throw new ProbeAssertionError(`thumbnail did not render (naturalWidth ${width})`);
    });
  },
});
