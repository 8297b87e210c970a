import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuthStore, currentUser, requireUser } from '../auth.ts';
import { HttpError, notFound } from '../errors.ts';
import { type ImageRow, type ImageService, MAX_UPLOAD_BYTES, OUTPUTS, type OutputName } from '../images.ts';

export interface ImageView {
  id: string;
  status: ImageRow['status'];
  format: string;
  width: number;
  height: number;
  bytes: number;
  createdAt: string;
  durationMs?: number;
  error?: string;
  outputs?: Record<OutputName, string>;
}

function toView(row: ImageRow): ImageView {
  const view: ImageView = {
    id: row.id,
    status: row.status,
    format: row.format,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    createdAt: row.created_at,
  };
  if (row.duration_ms !== null) view.durationMs = Math.round(row.duration_ms * 1000) / 1000;
  if (row.error !== null) view.error = row.error;
  if (row.status === 'done') {
    view.outputs = {
      thumbnail: `/api/images/${row.id}/thumbnail`,
      grayscale: `/api/images/${row.id}/grayscale`,
    };
  }
  return view;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function registerImageRoutes(
  app: FastifyInstance,
  deps: { images: ImageService; auth: AuthStore },
): void {
  const { images, auth } = deps;

  const findImage = (request: FastifyRequest<{ Params: { id: string } }>): ImageRow => {
    const { id } = request.params;
    const row = UUID.test(id) ? images.get(currentUser(request).id, id) : undefined;
    if (!row) throw notFound('image');
    return row;
  };

  const sendOutput =
    (output: OutputName) =>
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const row = findImage(request);
      if (row.status !== 'done') throw new HttpError(409, 'not_ready', `image is ${row.status}, not done`);
      // Outputs never change once written, so the browser may keep them as long as it likes.
      return reply
        .type(OUTPUTS[output].contentType)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .send(createReadStream(images.outputPath(row.id, output)));
    };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireUser(auth));

    scope.post('/api/images', async (request, reply) => {
      const user = currentUser(request);
      const file = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });
      if (!file) throw new HttpError(400, 'validation_error', 'image: a file is required');
      if (file.fieldname !== 'image') {
        file.file.resume();
        throw new HttpError(
          400,
          'validation_error',
          `image: expected the file in field "image", got "${file.fieldname}"`,
        );
      }
      const data = await file.toBuffer();
      // toBuffer only notices the size limit if a chunk arrives after busboy flagged it; when the
      // cut-off lands on the last chunk it returns the truncated bytes instead.
      if (file.file.truncated) throw new HttpError(413, 'payload_too_large', 'image exceeds 5 MB');
      const row = await images.accept(user.id, data, request.log);
      return reply
        .code(202)
        .header('location', `/api/images/${row.id}`)
        .send({ id: row.id, status: row.status });
    });

    scope.get('/api/images', async (request) => ({
      images: images.list(currentUser(request).id).map(toView),
    }));

    scope.get<{ Params: { id: string } }>('/api/images/:id', async (request) => toView(findImage(request)));
    scope.get<{ Params: { id: string } }>('/api/images/:id/thumbnail', sendOutput('thumbnail'));
    scope.get<{ Params: { id: string } }>('/api/images/:id/grayscale', sendOutput('grayscale'));
  });
}
