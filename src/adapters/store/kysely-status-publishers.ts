/**
 * The status publishers' cursors over `delivery_status_log` (migration 0029).
 *
 * A row id is taken when a transaction inserts and becomes visible when it commits, so rows commit
 * out of id order, and a cursor on the id alone would pass over a row whose transaction was still
 * open. The log carries the writing transaction's id (`txid`, migration 0008), and every
 * transaction below the current snapshot's xmin has ended: rows below it are all there, and no more
 * will come. So a publisher reads rows in `(txid, id)` order, only below xmin, and its cursor is such
 * a pair. (The analytics rollups read the log the same way.)
 */
import { sql } from 'kysely';
import type { LogCursor, LogRow, StatusLogCursors } from '../../ports/status-publisher.ts';
import type { Db } from './db.ts';

const jsonTextArray = (xs: string[]) =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(xs)}::jsonb))`;

interface RawRow {
  upto: string;
  log_id: string | null;
  txid: string;
  service_id: string;
  delivery_id: string;
  notification_id: string;
  notification_type: string | null;
  recipient_id: string | null;
  channel: string;
  provider: string | null;
  status: string;
  reason: string | null;
  attempts: number | null;
  occurred_at: Date;
}

/** Counting the lag stops here: a scrape must stay cheap however far behind a publisher is. */
const LAG_CAP = 1_000_000;

export function kyselyStatusLogCursors(db: Db): StatusLogCursors {
  return {
    async ensure(name, startAt) {
      const start = startAt === 'now' ? sql`pg_snapshot_xmin(pg_current_snapshot())` : sql`'0'::xid8`;
      await sql`insert into status_publishers (name, txid) values (${name}, ${start})
                on conflict (name) do nothing`.execute(db);
    },

    async lease(name, owner, leaseMs) {
      const { rows } = await sql<{ txid: string; log_id: string }>`
        update status_publishers
           set lease_owner = ${owner}, lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
         where name = ${name}
           and (lease_owner is null or lease_owner = ${owner} or lease_expires_at < now())
        returning txid::text as txid, log_id::text as log_id`.execute(db);
      const r = rows[0];
      return r ? { txid: r.txid, logId: r.log_id } : null;
    },

    async read(after, filter, limit) {
      const services = filter.services
        ? sql`and l.service_id = any(${jsonTextArray(filter.services)}::uuid[])`
        : sql``;
      // The xmin is read in the same statement; `(txid, id)` order uses the txid index (incremental sort).
      const { rows } = await sql<RawRow>`
        with w as (select pg_snapshot_xmin(pg_current_snapshot()) as upto)
        select w.upto::text as upto, r.*
          from w left join lateral (
            select l.id::text as log_id, l.txid::text as txid, l.service_id, l.delivery_id, l.notification_id,
                   n.type as notification_type, d.recipient_id, d.attempts, l.channel, l.provider,
                   l.status, l.reason, l.occurred_at
              from delivery_status_log l
              left join deliveries d on d.id = l.delivery_id
              left join notifications n on n.id = l.notification_id
             where l.txid >= ${after.txid}::xid8 and (l.txid > ${after.txid}::xid8 or l.id > ${after.logId}::bigint)
               and l.txid < w.upto
               and l.status = any(${jsonTextArray(filter.statuses)}) ${services}
             order by l.txid, l.id
             limit ${limit}
          ) r on true`.execute(db);
      const upto = rows[0]?.upto ?? after.txid;
      const out: LogRow[] = [];
      for (const r of rows) {
        if (r.log_id === null) continue;
        out.push({
          logId: r.log_id,
          txid: r.txid,
          serviceId: r.service_id,
          deliveryId: r.delivery_id,
          notificationId: r.notification_id,
          notificationType: r.notification_type,
          recipientId: r.recipient_id,
          channel: r.channel,
          provider: r.provider,
          status: r.status,
          reason: r.reason,
          attempts: r.attempts,
          occurredAt: new Date(r.occurred_at),
        });
      }
      return { rows: out, upto };
    },

    async advance(name, to: LogCursor, published) {
      await sql`
        update status_publishers
           set txid = ${to.txid}::xid8, log_id = ${to.logId}::bigint, published = published + ${published},
               updated_at = now()
         where name = ${name} and (txid, log_id) < (${to.txid}::xid8, ${to.logId}::bigint)`.execute(db);
    },

    async lag(name) {
      const { rows } = await sql<{ n: number | null }>`
        select (select count(*)::int from (
                  select 1 from delivery_status_log l
                   where l.txid >= p.txid and (l.txid > p.txid or l.id > p.log_id)
                   limit ${LAG_CAP}) behind) as n
          from status_publishers p where p.name = ${name}`.execute(db);
      return rows[0]?.n ?? null;
    },
  };
}
