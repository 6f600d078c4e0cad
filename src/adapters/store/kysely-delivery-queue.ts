import { sql, type Selectable } from 'kysely';
import type { DeliveryQueue } from '../../ports/store.ts';
import type { Channel } from '../../domain/channels.ts';
import type { ClaimedDelivery } from '../../domain/types.ts';
import type { Db, DeliveriesTable } from './db.ts';
import { settleDeliveries } from './kysely-settle.ts';

const toClaimed = (row: Selectable<DeliveriesTable>): ClaimedDelivery => ({
  id: row.id,
  notificationId: row.notification_id,
  serviceId: row.service_id,
  recipientId: row.recipient_id,
  channel: row.channel as Channel,
  address: row.address,
  target: row.target,
  content: row.content,
  priority: row.priority,
  attempts: row.attempts,
  createdAt: row.created_at,
  replayedAt: row.replayed_at,
});

export const LEASE_LOST_MESSAGE =
  'The worker holding this delivery stopped before recording the attempt; the provider may have received it.';

export function kyselyDeliveryQueue(db: Db): DeliveryQueue {
  return {
    /**
     * Claims due deliveries of one lane and leases them: interactive rows before broadcast (bulk)
     * rows, so one-to-one messages never queue behind a big fan-out; within a tier, in effective-
     * priority order (priority aged by waiting time, see migration 0002). The attempt is counted here,
     * so a worker that dies mid-send still used it up. The bound on the claim key lets the index scan
     * stop early: a due row's key is at most now + 30 min (lowest priority), so nothing past it is due.
     */
    async claim(channel, owner, limit, leaseMs) {
      const { rows } = await sql<Selectable<DeliveriesTable> & { claim_key: Date }>`
        update deliveries d
           set status = 'sending', lease_owner = ${owner},
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
               attempts = d.attempts + 1, updated_at = now()
          from (select id from deliveries
                 where channel = ${channel} and status = 'queued' and next_attempt_at <= now()
                   and herald_claim_key(next_attempt_at, priority) <= now() + interval '30 minutes'
                 order by bulk, herald_claim_key(next_attempt_at, priority)
                 limit ${limit}
                 for update skip locked) c
         where d.id = c.id
        returning d.*, herald_claim_key(d.next_attempt_at, d.priority) as claim_key`.execute(db);
      // RETURNING promises no order; the lane starts them in claim order.
      return rows.sort((a, b) => a.claim_key.getTime() - b.claim_key.getTime()).map(toClaimed);
    },

    /** One delivery's outcome; the lane settles through `settleMany` (kysely-settle.ts). */
    async settle(delivery, owner, outcome, attempt) {
      const [held] = await settleDeliveries(db, owner, [{ delivery, outcome, attempt }]);
      return held === true;
    },

    settleMany: (owner, items) => settleDeliveries(db, owner, items),

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

    async postpone(delivery, owner, delayMs, reason) {
      const res = await db
        .updateTable('deliveries')
        .set({
          status: 'queued',
          reason,
          lease_owner: null,
          lease_expires_at: null,
          attempts: sql<number>`attempts - 1`,
          next_attempt_at: sql<Date>`now() + ${delayMs} * interval '1 millisecond'`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', delivery.id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async reclaimExpired(maxAttempts, perChannel = {}) {
      const limits = JSON.stringify(perChannel);
      const { rows } = await sql<{ id: string }>`
        with expired as (
          select id, updated_at as claimed_at,
                 coalesce((${limits}::jsonb ->> channel)::int, ${maxAttempts}) as max_attempts
            from deliveries
           where status = 'sending' and lease_expires_at < now()
           order by lease_expires_at
           limit 1000
           for update skip locked
        ), moved as (
          update deliveries d
             set status = case when d.attempts >= e.max_attempts then 'dead' else 'queued' end,
                 reason = case when d.attempts >= e.max_attempts then 'attempts_exhausted' else 'lease_expired' end,
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
