import { sql, type Selectable } from 'kysely';
import type { DeliveryQueue } from '../../ports/store.ts';
import type { Channel } from '../../domain/channels.ts';
import type { ClaimedDelivery } from '../../domain/types.ts';
import type { Db, DeliveriesTable } from './db.ts';

const toClaimed = (row: Selectable<DeliveriesTable>): ClaimedDelivery => ({
  id: row.id,
  notificationId: row.notification_id,
  serviceId: row.service_id,
  recipientId: row.recipient_id,
  channel: row.channel as Channel,
  address: row.address,
  content: row.content,
  priority: row.priority,
  attempts: row.attempts,
  createdAt: row.created_at,
});

export const LEASE_LOST_MESSAGE =
  'The worker holding this delivery stopped before recording the attempt; the provider may have received it.';

export function kyselyDeliveryQueue(db: Db): DeliveryQueue {
  return {
    /**
     * Claims due deliveries of one lane, highest priority first, and leases them. The attempt is
     * counted here, so a worker that dies mid-send still used it up. Broadcast (bulk) rows come after
     * every due interactive row, so one-to-one messages never queue behind a big fan-out.
     */
    async claim(channel, owner, limit, leaseMs) {
      const { rows } = await sql<Selectable<DeliveriesTable>>`
        update deliveries d
           set status = 'sending', lease_owner = ${owner},
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
               attempts = d.attempts + 1, updated_at = now()
          from (select id from deliveries
                 where channel = ${channel} and status = 'queued' and next_attempt_at <= now()
                 order by bulk, priority, next_attempt_at
                 limit ${limit}
                 for update skip locked) c
         where d.id = c.id
        returning d.*`.execute(db);
      return rows.map(toClaimed);
    },

    async settle(delivery, owner, outcome, attempt) {
      return db.transaction().execute(async (tx) => {
        const base = { lease_owner: null, lease_expires_at: null, updated_at: sql<Date>`now()` };
        const set =
          outcome.status === 'sent'
            ? {
                ...base,
                status: 'sent',
                provider: outcome.provider,
                provider_message_id: outcome.providerMessageId,
                sent_at: sql<Date>`now()`,
                reason: null,
              }
            : outcome.status === 'queued'
              ? {
                  ...base,
                  status: 'queued',
                  reason: outcome.reason,
                  next_attempt_at: sql<Date>`now() + ${outcome.delayMs} * interval '1 millisecond'`,
                  last_error_code: attempt.errorCode,
                  last_error_message: attempt.errorMessage,
                }
              : {
                  ...base,
                  status: outcome.status,
                  reason: outcome.reason,
                  last_error_code: attempt.errorCode,
                  last_error_message: attempt.errorMessage,
                };
        const res = await tx
          .updateTable('deliveries')
          .set({ ...set, ...(attempt.provider ? { provider: attempt.provider } : {}) })
          .where('id', '=', delivery.id)
          .where('lease_owner', '=', owner)
          .where('status', '=', 'sending')
          .executeTakeFirst();
        // The attempt happened whether or not we still hold the lease: record it either way.
        await tx
          .insertInto('delivery_attempts')
          .values({
            delivery_id: delivery.id,
            attempt: attempt.attempt,
            provider: attempt.provider,
            started_at: attempt.startedAt,
            duration_ms: attempt.durationMs,
            outcome: attempt.outcome,
            error_code: attempt.errorCode,
            error_message: attempt.errorMessage,
            provider_message_id: attempt.providerMessageId,
          })
          .execute();
        return res.numUpdatedRows > 0n;
      });
    },

    async release(ids, owner) {
      if (ids.length === 0) return;
      await db
        .updateTable('deliveries')
        .set({
          status: 'queued',
          lease_owner: null,
          lease_expires_at: null,
          attempts: sql<number>`attempts - 1`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', 'in', ids)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'sending')
        .execute();
    },

    async reclaimExpired(maxAttempts) {
      const { rows } = await sql<{ id: string }>`
        with expired as (
          select id, updated_at as claimed_at from deliveries
           where status = 'sending' and lease_expires_at < now()
           order by lease_expires_at
           limit 1000
           for update skip locked
        ), moved as (
          update deliveries d
             set status = case when d.attempts >= ${maxAttempts} then 'dead' else 'queued' end,
                 reason = case when d.attempts >= ${maxAttempts} then 'attempts_exhausted' else 'lease_expired' end,
                 last_error_code = 'lease_expired', last_error_message = ${LEASE_LOST_MESSAGE},
                 lease_owner = null, lease_expires_at = null, next_attempt_at = now(), updated_at = now()
            from expired e
           where d.id = e.id
          returning d.id, d.attempts, e.claimed_at
        )
        insert into delivery_attempts (delivery_id, attempt, provider, started_at, duration_ms, outcome, error_code, error_message)
        select id, attempts, null, claimed_at, (extract(epoch from now() - claimed_at) * 1000)::int,
               'lease_expired', 'lease_expired', ${LEASE_LOST_MESSAGE}
          from moved
        returning delivery_id as id`.execute(db);
      return rows.length;
    },
  };
}
