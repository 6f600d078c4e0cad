/** Herald answers every error as `{ "error": { "code", "message", "details" } }`; this carries it. */
export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  /** Herald's error code, e.g. `not_found`, `validation_failed`, `rate_limited`. */
  readonly code: string;
  /** The HTTP status. */
  readonly status: number;
  /** What Herald said about the error, when it said anything (e.g. the invalid fields). */
  readonly details: unknown;

  constructor(code: string, message: string, status: number, details?: unknown) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** Makes a HeraldError of an error answer; a body of another shape keeps its status. */
  static from(status: number, body: unknown): HeraldError {
    const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    if (e && typeof e.code === 'string')
      return new HeraldError(e.code, typeof e.message === 'string' ? e.message : e.code, status, e.details);
    return new HeraldError('http_error', `Herald answered ${status}`, status, body ?? undefined);
  }
}
