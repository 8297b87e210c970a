import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';

/** An error the API answers with on purpose: `{ error: code, message, request_id }`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra fields for the error's log entry, e.g. the id of the fault that caused it. */
    readonly logFields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
export const unauthorized = () => new HttpError(401, 'unauthorized', 'authentication required');

/** Every problem in one message, each prefixed by the field it concerns. */
export function validationError(error: ZodError): HttpError {
  const parts = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${k}: unknown field`).join('; ');
    const path = issue.path.join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  // One field can fail two checks with the same text (not an integer, and too big): say it once.
  return new HttpError(400, 'validation_error', [...new Set(parts)].join('; '));
}

// Errors fastify and its plugins raise before our handlers run, mapped onto the API's codes.
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'request body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'unsupported content type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad_request',
    message: 'content-length does not match the body',
  },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'image exceeds 5 MB' },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large', message: 'only one file per upload' },
  FST_PARTS_LIMIT: { status: 413, code: 'payload_too_large', message: 'too many multipart parts' },
  FST_FIELDS_LIMIT: { status: 413, code: 'payload_too_large', message: 'too many multipart fields' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'expected multipart/form-data',
  },
  FST_MP_PREMATURE_CLOSE: { status: 400, code: 'bad_request', message: 'upload ended early' },
  FST_PROTO_VIOLATION: { status: 400, code: 'bad_request', message: 'forbidden multipart field name' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_request', message: 'malformed URL' },
};

export interface ErrorBody {
  error: string;
  message: string;
  request_id: string;
}

/** Maps any thrown value to the status and body the client sees; internals never leak. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const fastifyError = err as Partial<FastifyError>;
  const known = fastifyError.code ? FRAMEWORK_ERRORS[fastifyError.code] : undefined;
  if (known) return new HttpError(known.status, known.code, known.message);
  // Fastify's own JSON parser reports a syntax error without a code of its own in some paths.
  if (err instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', 'bad request');
  }
  return new HttpError(500, 'internal_error', 'internal server error');
}

/** Logs the error (warn for 4xx, error for 5xx) and sends the JSON body. */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const httpError = toHttpError(err);
  const logFields: Record<string, unknown> = {
    event: 'request_error',
    error: httpError.code,
    status_code: httpError.statusCode,
    ...httpError.logFields,
  };
  if (httpError.statusCode >= 500) {
    // The original error is what an operator needs; parser errors may quote the body, so only
    // our own errors and 5xx causes are attached in full.
    logFields.err = err instanceof Error ? err : new Error(String(err));
    request.log.error(logFields, httpError.message);
  } else {
    logFields.err = { type: httpError.code, message: httpError.message, stack: httpError.stack };
    request.log.warn(logFields, httpError.message);
  }
  const body: ErrorBody = { error: httpError.code, message: httpError.message, request_id: request.id };
  return reply
    .code(httpError.statusCode)
    .header('x-request-id', request.id)
    .type('application/json; charset=utf-8')
    .send(body);
}
