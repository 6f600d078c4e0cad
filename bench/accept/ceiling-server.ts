/**
 * The accept ceilings, with no Herald code in the request path: a bare Fastify route validating the
 * same JSON schema as POST /v1/notifications, either answering at once (`bare`) or writing each body
 * into a table shaped like `notifications` with INSERTs batched every 2 ms (`batched`), answering
 * each caller after the commit that holds its row. Prints its URL on stdout.
 *
 *   node bench/accept/ceiling-server.ts bare|batched [DATABASE_URL]
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import type { Ajv } from 'ajv';
import { NotificationRequestSchema } from '../../src/http/schemas.ts';
import { customFormats } from '../../src/http/formats.ts';
import { REQUEST_HASH } from './shape.ts';

const mode = process.argv[2];
const databaseUrl = process.argv[3];
const app = Fastify({
  ajv: {
    customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: true },
    plugins: [
      (ajv: Ajv) => {
        for (const [name, validate] of Object.entries(customFormats))
          ajv.addFormat(name, { type: 'string', validate });
        return ajv;
      },
    ],
  },
});

interface Waiting {
  body: Record<string, unknown>;
  key: string | null;
  done(err?: Error): void;
}
let queue: Waiting[] = [];

if (mode === 'batched') {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const serviceId = randomUUID();
  const flush = async () => {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      await pool.query(
        `insert into bench_notifications (id, service_id, type, recipient_id, channels, data, content, priority, idempotency_key, request_hash)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::smallint[], $9::text[], $10::text[])`,
        [
          batch.map(() => randomUUID()),
          batch.map(() => serviceId),
          batch.map((w) => String(w.body.type)),
          batch.map((w) => JSON.stringify(w.body.recipient)),
          batch.map((w) => JSON.stringify(w.body.channels ?? [])),
          batch.map((w) => JSON.stringify(w.body.data ?? {})),
          batch.map((w) => JSON.stringify(w.body.content ?? {})),
          batch.map(() => 2),
          batch.map((w) => w.key),
          batch.map(() => REQUEST_HASH),
        ],
      );
      for (const w of batch) w.done();
    } catch (err) {
      for (const w of batch) w.done(err instanceof Error ? err : new Error('insert failed'));
    }
  };
  setInterval(() => void flush(), 2);
}

app.post(
  '/v1/notifications',
  {
    schema: { body: NotificationRequestSchema },
  },
  async (request, reply) => {
    if (mode === 'batched') {
      const key = request.headers['idempotency-key'];
      await new Promise<void>((resolve, reject) =>
        queue.push({
          body: request.body as Record<string, unknown>,
          key: typeof key === 'string' ? key : null,
          done: (err) => (err ? reject(err) : resolve()),
        }),
      );
    }
    return reply.status(202).send({ id: randomUUID(), status: 'accepted' });
  },
);

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
