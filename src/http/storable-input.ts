/**
 * One check, where input enters, for text PostgreSQL cannot store (domain/storable-text.ts): path
 * parameters, the query string and every parsed body, before any route sees them. A root
 * `preValidation` hook, so it runs after authentication (`onRequest`) and before schema validation,
 * for every route, including routes added later. Streamed bodies (audience uploads) are checked line
 * by line where they are read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError, invalid } from '../domain/errors.ts';
import { findUnstorableText } from '../domain/storable-text.ts';

export const UNSTORABLE_MESSAGE =
  'holds a NUL character or an unpaired UTF-16 surrogate, which Herald cannot store';

/** The 422 `validation_failed` for a bad value at `path` (a JSON pointer) in one part of a request. */
export function unstorableText(where: string, path: string, extra: Record<string, unknown> = {}) {
  return invalid(
    'validation_failed',
    `Invalid ${where}: ${where}${path === '/' ? '' : path} ${UNSTORABLE_MESSAGE}.`,
    [{ in: where, path, message: UNSTORABLE_MESSAGE, ...extra }],
  );
}

function check(request: FastifyRequest): void {
  const parts: [string, unknown][] = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ];
  for (const [where, value] of parts) {
    const path = findUnstorableText(value);
    if (path === null) continue;
    // As for any impossible path id (errors.ts): what is read or deleted is not found; what a PUT
    // names is a bad field.
    if (where === 'params' && request.method !== 'PUT')
      throw new HeraldError('not_found', 404, 'No such resource.');
    throw unstorableText(where, path);
  }
}

export function installStorableInputCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => check(request));
}
