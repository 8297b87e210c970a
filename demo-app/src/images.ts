import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import sharp, { type Metadata } from 'sharp';
import { type Db, nowIso } from './db.ts';
import { HttpError } from './errors.ts';
import type { FaultRegistry } from './faults.ts';
import type { Metrics } from './metrics.ts';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
// Decoding cost grows with pixels, not bytes: a 5 MB PNG can hold a 20000x20000 blank canvas.
const MAX_PIXELS = 40_000_000;
const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'];
export const THUMBNAIL_SIZE = 128;

export const OUTPUTS = {
  thumbnail: { file: 'thumbnail.png', contentType: 'image/png' },
  grayscale: { file: 'grayscale.jpg', contentType: 'image/jpeg' },
} as const;
export type OutputName = keyof typeof OUTPUTS;

export type ImageStatus = 'queued' | 'processing' | 'done' | 'failed';

export interface ImageRow {
  id: string;
  user_id: number;
  status: ImageStatus;
  format: string;
  width: number;
  height: number;
  bytes: number;
  duration_ms: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

interface Job {
  id: string;
  log: FastifyBaseLogger;
}

/**
 * Accepts uploads and processes them one at a time in the background. One at a time because sharp
 * already spreads one image over libvips threads; parallel jobs would only compete for 2 cores.
 */
export class ImageService {
  private readonly queue: Job[] = [];
  private draining = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly metrics: Metrics,
    private readonly logger: FastifyBaseLogger,
    private readonly faults: FaultRegistry,
  ) {}

  /** Validates by content (sharp's metadata, never the filename), stores the original, queues the job. */
  async accept(userId: number, data: Buffer, log: FastifyBaseLogger): Promise<ImageRow> {
    let meta: Metadata;
    try {
      meta = await sharp(data).metadata();
    } catch {
      throw unsupported();
    }
    if (!meta.format || !ACCEPTED_FORMATS.includes(meta.format) || !meta.width || !meta.height)
      throw unsupported();
    if (meta.width * meta.height > MAX_PIXELS) {
      throw new HttpError(413, 'payload_too_large', `image exceeds ${MAX_PIXELS / 1_000_000} megapixels`);
    }
    const id = randomUUID();
    await mkdir(this.dir(id), { recursive: true });
    await writeFile(join(this.dir(id), 'original'), data);
    const now = nowIso();
    const row: ImageRow = {
      id,
      user_id: userId,
      status: 'queued',
      format: meta.format,
      width: meta.width,
      height: meta.height,
      bytes: data.length,
      duration_ms: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
    this.db.timed('images.insert', (db) =>
      db
        .prepare(
          `INSERT INTO images (id, user_id, status, format, width, height, bytes, created_at, updated_at)
           VALUES (@id, @user_id, @status, @format, @width, @height, @bytes, @created_at, @updated_at)`,
        )
        .run(row),
    );
    log.info(
      { event: 'image_queued', image_id: id, format: meta.format, bytes: data.length },
      'image queued',
    );
    this.enqueue({ id, log: log.child({ image_id: id }) });
    return row;
  }

  get(userId: number, id: string): ImageRow | undefined {
    return this.db.timed('images.get', (db) =>
      db.prepare('SELECT * FROM images WHERE id = ? AND user_id = ?').get(id, userId),
    ) as ImageRow | undefined;
  }

  list(userId: number): ImageRow[] {
    return this.db.timed('images.list', (db) =>
      db.prepare('SELECT * FROM images WHERE user_id = ? ORDER BY created_at DESC LIMIT 50').all(userId),
    ) as ImageRow[];
  }

  outputPath(id: string, output: OutputName): string {
    return join(this.dir(id), OUTPUTS[output].file);
  }

  /** Picks up jobs a previous process left unfinished (only meaningful with a file database). */
  resume(): void {
    const pending = this.db.timed('images.list_pending', (db) =>
      db.prepare("SELECT id FROM images WHERE status IN ('queued', 'processing') ORDER BY created_at").all(),
    ) as { id: string }[];
    for (const { id } of pending) {
      if (existsSync(join(this.dir(id), 'original')))
        this.enqueue({ id, log: this.logger.child({ image_id: id }) });
      else this.setStatus(id, 'failed', { error: 'original upload is missing' });
    }
  }

  /** Stops taking jobs and waits for the running one; queued ones stay queued for `resume`. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.idle;
  }

  private dir(id: string): string {
    return join(this.dataDir, 'images', id);
  }

  private enqueue(job: Job): void {
    if (this.closed) return;
    this.queue.push(job);
    if (!this.draining) this.idle = this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) await this.process(job);
    } finally {
      this.draining = false;
    }
  }

  private async process({ id, log }: Job): Promise<void> {
    const started = performance.now();
    this.setStatus(id, 'processing');
    try {
      const delayMs = this.faults.matching('slow-image').reduce((sum, f) => sum + f.params.delayMs, 0);
      if (delayMs > 0) {
        log.debug(
          { event: 'fault_applied', fault_kind: 'slow-image', delay_ms: delayMs },
          'slow-image fault',
        );
        await sleep(delayMs, undefined, { signal: this.faults.shutdownSignal }).catch(() => {});
      }
      const original = join(this.dir(id), 'original');
      const input = () => sharp(original, { limitInputPixels: MAX_PIXELS }).rotate();
      await input()
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover' })
        .png()
        .toFile(this.outputPath(id, 'thumbnail'));
      await input()
        .resize(1024, 1024, { fit: 'inside', withoutEnlargement: true })
        // A true one-channel JPEG, not three equal channels: a third of the bytes.
        .toColourspace('b-w')
        .jpeg({ quality: 85 })
        .toFile(this.outputPath(id, 'grayscale'));
      const durationMs = performance.now() - started;
      this.setStatus(id, 'done', { duration_ms: durationMs });
      this.metrics.imageProcessingDuration.observe(durationMs / 1000);
      this.metrics.imageJobs.inc({ result: 'done' });
      log.info({ event: 'image_processed', duration_ms: round(durationMs) }, 'image processed');
    } catch (err) {
      const durationMs = performance.now() - started;
      const message = err instanceof Error ? err.message : String(err);
      this.setStatus(id, 'failed', { duration_ms: durationMs, error: message });
      this.metrics.imageProcessingDuration.observe(durationMs / 1000);
      this.metrics.imageJobs.inc({ result: 'failed' });
      log.error({ event: 'image_failed', duration_ms: round(durationMs), err }, 'image processing failed');
    }
  }

  private setStatus(
    id: string,
    status: ImageStatus,
    extra: { duration_ms?: number; error?: string } = {},
  ): void {
    // A job may finish after close() closed the database; its outcome is then simply not stored.
    if (!this.db.sqlite.open) return;
    this.db.timed('images.update_status', (db) =>
      db
        .prepare('UPDATE images SET status = ?, duration_ms = ?, error = ?, updated_at = ? WHERE id = ?')
        .run(status, extra.duration_ms ?? null, extra.error ?? null, nowIso(), id),
    );
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

const unsupported = () =>
  new HttpError(
    415,
    'unsupported_media_type',
    `upload is not a supported image (${ACCEPTED_FORMATS.join(', ')})`,
  );
