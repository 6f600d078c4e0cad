/**
 * Dead letters: deliveries that used up their retries. Listing pages through them by (updated_at,
 * id); a replay puts them back in the queue with a fresh budget and wakes the lane, in one statement
 * each, so a replay racing a second replay requeues each delivery once.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { DeadLetterStore, DeliveryFilter } from '../../ports/dead-letters.ts';
import type { DB } from './db.ts';
import type { Db } from './db.ts';
import type { Channel } from '../../domain/channels.ts';
import { laneTopic } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';

const requeue = {
  status: 'queued',
  attempts: 0,
  reason: 'replayed',
  next_attempt_at: sql<Date>`now()`,
  replayed_at: sql<Date>`now()`,
  updated_at: sql<Date>`now()`,
};

function matching(serviceId: string, filter: Partial<DeliveryFilter>) {
  return (eb: ExpressionBuilder<DB, 'deliveries'>) => {
    const conds = [eb('service_id', '=', serviceId)];
    if (filter.status) conds.push(eb('status', '=', filter.status));
    if (filter.channel) conds.push(eb('channel', '=', filter.channel));
    if (filter.since) conds.push(eb('updated_at', '>=', filter.since));
    return eb.and(conds);
  };
}

export function kyselyDeadLetters(db: Db): DeadLetterStore {
  // The channels are read back from `deliveries.channel`, which only ever holds a Channel.
  async function wake(channels: Iterable<string>) {
    for (const channel of new Set(channels))
      await sql`select pg_notify(${WAKE_CHANNEL}, ${laneTopic(channel as Channel)})`.execute(db);
  }

  return {
    async list(serviceId, filter, after, limit) {
      // The cursor carries the timestamp as PostgreSQL's own text, microseconds included: a JS Date
      // would round to milliseconds and the next page would repeat rows.
      let q = db
        .selectFrom('deliveries')
        .selectAll()
        .select(sql<string>`updated_at::text`.as('cursor_at'))
        .where(matching(serviceId, filter));
      if (after) {
        q = q.where(sql<boolean>`(updated_at, id) > (${after.updatedAt}::timestamptz, ${after.id}::uuid)`);
      }
      const rows = await q.orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        notificationId: r.notification_id,
        channel: r.channel,
        recipient: r.recipient_id,
        status: r.status,
        reason: r.reason,
        provider: r.provider,
        attempts: r.attempts,
        lastErrorCode: r.last_error_code,
        lastErrorMessage: r.last_error_message,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        cursor: { updatedAt: r.cursor_at, id: r.id },
      }));
    },

    async retry(serviceId, id) {
      const moved = await db
        .updateTable('deliveries')
        .set(requeue)
        .where('id', '=', id)
        .where('service_id', '=', serviceId)
        .where('status', '=', 'dead')
        .returning('channel')
        .executeTakeFirst();
      if (moved) {
        await wake([moved.channel]);
        return 'requeued';
      }
      const exists = await db
        .selectFrom('deliveries')
        .select('id')
        .where('id', '=', id)
        .where('service_id', '=', serviceId)
        .executeTakeFirst();
      return exists ? 'not_dead' : 'not_found';
    },

    async retryMatching(serviceId, filter) {
      const moved = await db
        .updateTable('deliveries')
        .set(requeue)
        .where(matching(serviceId, { ...filter, status: 'dead' }))
        .returning('channel')
        .execute();
      await wake(moved.map((m) => m.channel));
      return moved.length;
    },
  };
}
