/**
 * Every error Herald answers with: a stable `code`, an HTTP status, and a message a person can act on.
 * The API docs list these codes; clients may branch on `code`, never on `message`.
 */
export type ErrorDetails = Record<string, unknown> | unknown[] | undefined;

export class HeraldError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: string, status: number, message: string, details?: ErrorDetails, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HeraldError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const malformed = (message: string, details?: ErrorDetails) =>
  new HeraldError('malformed_request', 400, message, details);
export const unauthorized = (message = 'Missing or invalid credentials.') =>
  new HeraldError('unauthorized', 401, message);
export const forbidden = (message: string) => new HeraldError('forbidden', 403, message);
export const notFound = (what: string, id: string) =>
  new HeraldError('not_found', 404, `${what} '${id}' was not found.`, { resource: what, id });
export const conflict = (code: string, message: string, details?: ErrorDetails) =>
  new HeraldError(code, 409, message, details);
export const linkExpired = (message: string) => new HeraldError('link_expired', 410, message);
export const tooLarge = (message: string, details?: ErrorDetails) =>
  new HeraldError('payload_too_large', 413, message, details);
export const unsupportedMediaType = (message: string) =>
  new HeraldError('unsupported_media_type', 415, message);
export const invalid = (code: string, message: string, details?: ErrorDetails) =>
  new HeraldError(code, 422, message, details);
export const rateLimited = (retryAfterSeconds: number) =>
  new HeraldError('rate_limited', 429, `Too many requests; retry after ${retryAfterSeconds} s.`, {
    retryAfterSeconds,
  });
const STREAM_HOLDERS = {
  recipient: 'This recipient already has',
  service: "This service's recipients already have",
  process: 'This Herald process already has',
} as const;
export const tooManyStreams = (limit: number, scope: keyof typeof STREAM_HOLDERS = 'recipient') =>
  new HeraldError(
    'too_many_streams',
    429,
    `${STREAM_HOLDERS[scope]} ${limit} open streams here; close one before opening another.`,
    { limit, scope },
  );
export const unavailable = (message: string) => new HeraldError('unavailable', 503, message);

/** The stable codes, with their status, for the API reference. */
export const ERROR_CODES: Readonly<Record<string, { status: number; meaning: string }>> = {
  malformed_request: { status: 400, meaning: 'The body is not valid JSON or the request cannot be parsed.' },
  unauthorized: { status: 401, meaning: 'No credentials, an unknown key, or a revoked key.' },
  forbidden: { status: 403, meaning: 'The credentials are valid but not allowed to do this.' },
  not_found: { status: 404, meaning: 'No such resource for this caller (other tenants are invisible).' },
  idempotency_conflict: { status: 409, meaning: 'The idempotency key was used with a different body.' },
  already_exists: { status: 409, meaning: 'A resource with this identity already exists.' },
  not_replayable: { status: 409, meaning: 'Only a dead delivery can be replayed.' },
  link_expired: {
    status: 410,
    meaning: 'A link from a message (unsubscribe, click) is past its lifetime (`links.ttlDays`).',
  },
  payload_too_large: { status: 413, meaning: 'The body is over the size limit.' },
  uri_too_long: { status: 414, meaning: 'A path segment is longer than any id can be.' },
  unsupported_media_type: {
    status: 415,
    meaning: 'The body must be application/json (audience uploads: application/x-ndjson or text/csv).',
  },
  validation_failed: { status: 422, meaning: 'A field is missing or invalid; `details` lists each one.' },
  unknown_notification_type: { status: 422, meaning: 'The type is not registered for this service.' },
  unknown_recipient: { status: 422, meaning: 'The recipient does not exist for this service.' },
  unknown_audience: { status: 422, meaning: 'The uploaded audience does not exist for this service.' },
  invalid_audience_line: {
    status: 422,
    meaning: 'A line of an uploaded audience is not valid; `details` names the line. Nothing was stored.',
  },
  recipient_missing_address: {
    status: 422,
    meaning: 'The recipient has no address for a requested channel.',
  },
  missing_content: { status: 422, meaning: 'A requested channel has no content to send.' },
  template_syntax_error: {
    status: 422,
    meaning: 'A template does not parse; `details` gives line and column.',
  },
  templates_too_large: {
    status: 422,
    meaning:
      'The templates in one request add up to more than `templates.requestBytes`; `details` gives both.',
  },
  template_render_error: {
    status: 422,
    meaning: 'A template parsed but failed to render with the given data (e.g. it ran over its time limit).',
  },
  rate_limited: {
    status: 429,
    meaning: 'Too many requests for this API key, inbox recipient or client address; see Retry-After.',
  },
  too_many_streams: {
    status: 429,
    meaning:
      'The inbox recipient, its service, or the process already holds the most open streams allowed (`details.scope`).',
  },
  internal_error: { status: 500, meaning: 'A fault in Herald; nothing about the request was wrong.' },
  unavailable: { status: 503, meaning: 'Herald cannot reach its database right now.' },
};
