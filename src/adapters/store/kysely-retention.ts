/**
 * Retention: the oldest finished notifications go, with their deliveries, attempts, receipts, status
 * history and captured copies (src/domain/retention.ts says which are finished). A notification whose
 * status changes the analytics job has not yet counted is left for a later round, so the rollups never
 * lose a change. Rows are taken with SKIP LOCKED, so several workers share the work.
 */
import { sql } from 'kysely';
import { FINISHED_PLAN_STATES, KEEPING_DELIVERY_STATES } from '../../domain/retention.ts';
import type { RetentionStore } from '../../ports/retention.ts';
import type { Db } from './db.ts';

const list = (values: readonly string[]) => sql.join(values.map((v) => sql.lit(v)));

export function kyselyRetention(db: Db): RetentionStore {
  return {
    async prune(olderThanMs, limit) {
      return db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ id: string }>`
          select n.id from notifications n
           where n.created_at < now() - ${olderThanMs} * interval '1 millisecond'
             and n.plan_status in (${list(FINISHED_PLAN_STATES)})
             and not exists (select 1 from deliveries d
                              where d.notification_id = n.id and d.status in (${list(KEEPING_DELIVERY_STATES)}))
             and not exists (select 1 from deliveries d
                               join delivery_status_log l on l.delivery_id = d.id
                              where d.notification_id = n.id
                                and l.txid >= (select upto from analytics_watermark where id = 1))
           order by n.created_at
           limit ${limit}
           for update of n skip locked`.execute(tx);
        if (rows.length === 0) return 0;
        const ids = sql`${sql.join(rows.map((r) => sql`${r.id}::uuid`))}`;
        const deliveries = sql`select id from deliveries where notification_id in (${ids})`;
        await sql`delete from delivery_status_log where delivery_id in (${deliveries})`.execute(tx);
        await sql`delete from captured_messages where delivery_id in (${deliveries})`.execute(tx);
        // Deliveries follow by the statement trigger `notifications_deleted` (0032), their attempts by
        // `deliveries_deleted` (0025), their receipts (`delivery_events`) by foreign key.
        await sql`delete from notifications where id in (${ids})`.execute(tx);
        return rows.length;
      });
    },
  };
}
