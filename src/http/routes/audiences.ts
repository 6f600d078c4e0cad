/**
 * Uploaded audiences. The body is read as a stream, line by line, and written in batches inside one
 * transaction, so a list of millions never sits in memory and a bad line stores nothing.
 */
import { createInterface } from 'node:readline';
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
import { invalid, notFound, tooLarge, unsupportedMediaType } from '../../domain/errors.ts';
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

async function* readLines(body: Readable, format: LineFormat): AsyncGenerator<AudienceLine> {
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_UPLOAD_BYTES)
      body.destroy(tooLarge(`An audience upload is limited to ${MAX_UPLOAD_BYTES} bytes.`));
  });
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let n = 0;
  let parse = format === 'ndjson' ? parseNdjsonLine : null;
  for await (const text of lines) {
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
          response: { 201: AudienceSchema, ...errorResponses(401, 413, 415, 422) },
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
          if (err instanceof LineError)
            throw invalid('invalid_audience_line', err.message, { line: err.line });
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
