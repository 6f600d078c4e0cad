/**
 * PGlite's own single-row commit rate, with no Herald code: a fresh data folder, a table shaped like
 * `notifications` (same columns and indexes), one autocommit INSERT after another for a while.
 * Prints one JSON line: { commitsPerSecond }.
 *
 *   node bench/accept/pglite-commits.ts <dataDir> <seconds>
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { NOTIFICATIONS_SHAPE, REQUEST_HASH } from './shape.ts';

const dir = process.argv[2] ?? '';
const seconds = Number(process.argv[3] ?? 5);
const db = await PGlite.create(dir);
await db.exec(NOTIFICATIONS_SHAPE);
const serviceId = randomUUID();
const body = JSON.stringify({ url: 'http://127.0.0.1:9/hook', payload: { order: 1 } });
let n = 0;
const t0 = performance.now();
const end = t0 + seconds * 1000;
while (performance.now() < end) {
  await db.query(
    `insert into bench_notifications (id, service_id, type, recipient_id, channels, data, content, priority, idempotency_key, request_hash)
     values ($1, $2, 'order_shipped', $3, '["webhook"]', '{}', $4, 2, $5, $6)`,
    [randomUUID(), serviceId, `r${n % 1000}`, `{"webhook":${body}}`, `k${n}`, REQUEST_HASH],
  );
  n += 1;
}
const commitsPerSecond = n / ((performance.now() - t0) / 1000);
await db.close();
process.stdout.write(`${JSON.stringify({ commitsPerSecond })}\n`);
