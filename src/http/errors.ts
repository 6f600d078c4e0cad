/** Turns every failure into the one JSON error shape, with the status that says whose fault it was. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError } from '../domain/errors.ts';

/**
 * The one error shape. `details` is always there: null, or what a client can act on (the list of
 * invalid fields for `validation_failed`, the line of a bad upload, the wait before a retry).
 */
export interface ErrorPayload {
  error: { code: string; message: string; details: unknown };
}

export function errorPayload(code: string, message: string, details: unknown = null): ErrorPayload {
  return { error: { code, message, details: details ?? null } };
}

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_request' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_request' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed_request' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long' },
  FST_ERR_BAD_URL: { status: 400, code: 'malformed_request' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'malformed_request' },
};

/**
 * The database is down or restarting (connection refused or cut, the server shutting down or
 * starting up): the request was fine and a retry will do, so 503 rather than 500.
 */
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);
function isDatabaseUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (
    typeof e.code === 'string' &&
    (UNREACHABLE_SQLSTATES.has(e.code) || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET')
  )
    return true;
  // pg's own words for a lost or never-made connection (the pool's connect timeout included).
  return (
    typeof e.message === 'string' &&
    /^Connection terminated|is not queryable|timeout exceeded when trying to connect/.test(e.message)
  );
}

export const UNAVAILABLE_RETRY_AFTER_S = 2;

/**
 * A write naming a service that no longer exists (its key, or for notifications the statement check
 * that stands for it, `*_service_id_fkey`): the caller's API key was still cached in this process
 * (for about a second) after its service was deleted. Nothing was written, and the key is as good as
 * unknown, so the answer is the one an unknown key gets.
 */
function isServiceGone(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23503' && typeof e.constraint === 'string' && e.constraint.endsWith('_service_id_fkey');
}

/**
 * `method` tells a path id that names nothing (a read or a delete of an id that cannot exist: 404)
 * from one the caller is creating or replacing (a PUT with an impossible id: 422, like a bad field).
 */
export function toErrorResponse(err: unknown, method = 'GET'): { status: number; body: ErrorPayload } {
  if (err instanceof HeraldError) {
    return { status: err.status, body: errorPayload(err.code, err.message, err.details) };
  }
  const e = err as FastifyError & {
    validation?: { instancePath: string; message?: string; params?: unknown }[];
    validationContext?: string;
  };
  if (e?.validation) {
    const where = e.validationContext ?? 'body';
    // A path id that cannot exist is simply not found, unless the caller is naming a new one; bad
    // headers are malformed; fields are invalid.
    if (where === 'params' && method !== 'PUT') {
      return { status: 404, body: errorPayload('not_found', 'No such resource.') };
    }
    const headers = where === 'headers';
    return {
      status: headers ? 400 : 422,
      body: errorPayload(
        headers ? 'malformed_request' : 'validation_failed',
        `Invalid ${where}: ${where}${e.validation[0]?.instancePath ?? ''} ${e.validation[0]?.message ?? ''}`.trim(),
        e.validation.map((v) => ({
          in: where,
          path: v.instancePath || '/',
          message: v.message,
          params: v.params,
        })),
      ),
    };
  }
  if (isDatabaseUnreachable(err)) {
    return {
      status: 503,
      body: errorPayload('unavailable', 'Herald cannot reach its database right now; retry shortly.'),
    };
  }
  if (isServiceGone(err)) {
    return { status: 401, body: errorPayload('unauthorized', 'This API key’s service no longer exists.') };
  }
  const known = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return { status: known.status, body: errorPayload(known.code, e.message) };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: errorPayload('malformed_request', e.message) };
  }
  return {
    status: 500,
    body: errorPayload('internal_error', 'Something went wrong inside Herald; it has been logged.'),
  };
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(err, request.method);
  if (status >= 500) request.log.error({ err }, 'request failed');
  // Seconds a client should wait before retrying while the database is away (a restart takes a few).
  if (body.error.code === 'unavailable') void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
  if (body.error.code === 'rate_limited') {
    const retry = (body.error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retry !== undefined) void reply.header('retry-after', String(retry));
  }
  void reply.status(status).type('application/json').send(body);
}
