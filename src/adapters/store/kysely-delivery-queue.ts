import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { DeliveryQueue } from '../../ports/store.ts';
import type { Channel } from '../../domain/channels.ts';
import type { ClaimedDelivery } from '../../domain/types.ts';
import type { Db, DeliveriesTable } from './db.ts';
import { postponeDeliveries } from './kysely-postpone.ts';
import { settleDeliveries } from './kysely-settle.ts';

/** The columns a lane reads of a claimed row; the rest (errors, lease, timestamps) it never uses. */
export type ClaimedRow = Pick<
  Selectable<DeliveriesTable>,
  | 'id'
  | 'notification_id'
  | 'service_id'
  | 'recipient_id'
  | 'channel'
  | 'address'
  | 'target'
  | 'content'
  | 'priority'
  | 'attempts'
  | 'created_at'
  | 'replayed_at'
  | 'bulk'
>;

export const toClaimed = (row: ClaimedRow): ClaimedDelivery => ({
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

/**
 * The lane starts claimed rows in this order: round-robin over services, each service's rows in
 * its own order (tier, then aged priority), so no service's share waits behind another's.
 * RETURNING promises no order, hence the sort here.
 */
function interleave<R extends { service_id: string; bulk: boolean; claim_key: Date }>(rows: R[]): R[] {
  const byService = new Map<string, R[]>();
  for (const r of rows) {
    const list = byService.get(r.service_id);
    if (list) list.push(r);
    else byService.set(r.service_id, [r]);
  }
  const lists = [...byService.values()].map((l) =>
    l.sort((a, b) => Number(a.bulk) - Number(b.bulk) || a.claim_key.getTime() - b.claim_key.getTime()),
  );
  const out: R[] = [];
  for (let i = 0; out.length < rows.length; i++) for (const l of lists) if (i < l.length) out.push(l[i] as R);
  return out;
}

export const LEASE_LOST_MESSAGE =
  'The worker holding this delivery stopped before recording the attempt; the provider may have received it.';

export function kyselyDeliveryQueue(db: Db): DeliveryQueue {
  return {
    /**
     * Claims due deliveries of one lane and leases them, sharing the claim fairly between services:
     * each service with queued work in the lane gets a share of `limit` in proportion to its weight
     * (`weights`, by service id; 1 when unset), so one service's flood, however urgent it says it is,
     * takes only its share. Priority orders work *within* a service: interactive rows before
     * broadcast (bulk) rows, then effective priority (priority aged by waiting time, migration 0002).
     * The services are found by a loose index scan (one probe each); when more services are waiting
     * than `limit`, a random pivot picks which `limit` of them go this time. The attempt is counted
     * here, so a worker that dies mid-send still used it up. The claimed ids are matched as an array
     * (an index probe each): joined to the CTE, the planner cannot see how few rows it returns and
     * hashed the whole table instead.
     */
    async claim(channel, owner, limit, leaseMs, weights = {}) {
      const { rows } = await sql<ClaimedRow & { claim_key: Date }>`
        with recursive waiting as (
          select (select service_id from deliveries
                   where channel = ${channel} and status = 'queued' order by service_id limit 1) as service_id
          union all
          select (select d.service_id from deliveries d
                   where d.channel = ${channel} and d.status = 'queued' and d.service_id > w.service_id
                   order by d.service_id limit 1)
            from waiting w where w.service_id is not null
        ), picked as (
          select service_id, coalesce((${JSON.stringify(weights)}::jsonb ->> service_id::text)::float8, 1) as weight
            from waiting where service_id is not null
           order by service_id < ${randomUUID()}::uuid, service_id
           limit ${limit}
        ), shares as (
          select service_id, ceil(${limit} * weight / sum(weight) over ())::int as n from picked
        ), claimable as (
          select c.id from shares s cross join lateral (
            select id from deliveries
             where channel = ${channel} and status = 'queued' and service_id = s.service_id
               and next_attempt_at <= now()
               and herald_claim_key(next_attempt_at, priority) <= now() + interval '30 minutes'
             order by bulk, herald_claim_key(next_attempt_at, priority)
             limit s.n
             for update skip locked) c
        )
        update deliveries d
           set status = 'sending', lease_owner = ${owner},
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
               attempts = d.attempts + 1, updated_at = now()
         where d.id = any(array(select id from claimable))
        returning d.id, d.notification_id, d.service_id, d.recipient_id, d.channel, d.address, d.target,
                  d.content, d.priority, d.attempts, d.created_at, d.replayed_at, d.bulk,
                  herald_claim_key(d.next_attempt_at, d.priority) as claim_key`.execute(db);
      return interleave(rows).map(toClaimed);
    },

    /** One delivery's outcome; the lane settles through `settleMany` (kysely-settle.ts). */
    async settle(delivery, owner, outcome, attempt) {
      const [held] = await settleDeliveries(db, owner, [{ delivery, outcome, attempt }]);
      return held === true;
    },

    settleMany: (owner, items) => settleDeliveries(db, owner, items),

    postponeMany: (owner, items) => postponeDeliveries(db, owner, items),

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
