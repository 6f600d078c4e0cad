/**
 * Uploaded audiences. The body is read as a stream, line by line, with each line's length capped
 * before it is buffered, and staged in batches that the store commits in one short write at the end;
 * so a list of millions never sits in memory, a slow upload holds no transaction open, and a bad
 * line stores nothing.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { v7 as uuidv7 } from 'uuid';
import {
  csvParser,
  LineError,
  parseNdjsonLine,
  type AudienceLine,
  type LineFormat,
} from '../../domain/audience.ts';
import {
  HeraldError,
  invalid,
  malformed,
  notFound,
  tooLarge,
  unsupportedMediaType,
} from '../../domain/errors.ts';
import { splitLines } from '../../domain/lines.ts';
import { findUnstorableText } from '../../domain/storable-text.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import type { AudienceStore } from '../../ports/audience-store.ts';
import { serviceAuth } from '../auth.ts';
import { unstorableText } from '../storable-input.ts';
import { DateTime, errorResponses, Uuid } from '../schemas.ts';

const FORMATS: Readonly<Record<string, LineFormat>> = {
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
};

/** Far above any request body, but still a bound: an upload is not a way to fill the disk. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

const AudienceSchema = Type.Object({ id: Type.String(), size: Type.Integer(), createdAt: DateTime });

/**
 * One line (a recipient id and its data) may be this long. Far above any real line, and the most a
 * bad upload can make Herald hold at once.
 */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * The body's chunks, counted against the upload limit. The stream is not destroyed when reading
 * stops early (a bad line): that would cut the connection before the 422 could be sent.
 */
async function* chunksOf(body: Readable): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_UPLOAD_BYTES)
      throw tooLarge(`An audience upload is limited to ${MAX_UPLOAD_BYTES} bytes.`);
    yield chunk;
  }
}

async function* readLines(body: Readable, format: LineFormat): AsyncGenerator<AudienceLine> {
  let n = 0;
  let parse = format === 'ndjson' ? parseNdjsonLine : null;
  for await (const text of splitLines(chunksOf(body), MAX_LINE_BYTES)) {
    n++;
    if (!parse) {
      parse = csvParser(text);
      continue;
    }
    const line = parse(text, n);
    if (!line) continue;
    const bad = findUnstorableText(line);
    if (bad !== null) throw unstorableText('body', bad, { line: n });
    yield line;
  }
}

export function audiencesRoutes(deps: { keys: ApiKeyStore; audiences: AudienceStore }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // Hand the handler the raw stream instead of a buffered body (this plugin only).
    app.addContentTypeParser(Object.keys(FORMATS), (_request, payload, done) => done(null, payload));
    app.addHook('onRequest', serviceAuth(deps.keys));

    app.post(
      '/v1/audiences',
      {
        schema: {
          tags: ['audiences'],
          summary:
            'Upload an audience as NDJSON (`"id"` or `{"id","data"}` per line) or CSV (header `id,...`; other columns become data). Use it as `"audience": {"id": ...}`.',
          security: [{ apiKey: [] }],
          response: { 201: AudienceSchema, ...errorResponses(400, 401, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        const format = FORMATS[type];
        if (!format) {
          throw unsupportedMediaType('Upload an audience as application/x-ndjson or text/csv.');
        }
        try {
          const stored = await deps.audiences.upload(
            request.serviceId,
            uuidv7(),
            readLines(request.body as Readable, format),
          );
          return await reply.status(201).send(stored);
        } catch (err) {
          // The rest of an unread body is not worth reading: answer, then close the connection.
          if (!request.raw.complete) void reply.header('connection', 'close');
          if (err instanceof LineError)
            throw invalid('invalid_audience_line', err.message, { line: err.line });
          if (err instanceof HeraldError) throw err;
          // The body stream failed (the client went away mid-upload): this request fails, nothing else.
          if (request.raw.errored || request.raw.destroyed)
            throw malformed('The upload was cut off before it ended; nothing was stored.');
          throw err;
        }
      },
    );

    app.get(
      '/v1/audiences/:id',
      {
        schema: {
          tags: ['audiences'],
          summary: 'An uploaded audience: its size and when it was uploaded.',
          security: [{ apiKey: [] }],
          params: Type.Object({ id: Uuid }),
          response: { 200: AudienceSchema, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const audience = await deps.audiences.get(request.serviceId, request.params.id);
        if (!audience) throw notFound('audience', request.params.id);
        return audience;
      },
    );
  };
}
