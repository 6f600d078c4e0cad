/**
 * `deliveries` built for its write path (see docs/tables.md for the whole picture).
 *
 * Every status change of a delivery is a non-HOT update (status is in the predicate of the queue's
 * partial indexes), and a non-HOT update adds an entry to every index whose predicate the new row
 * meets. So each index on this table is paid for up to three times per delivery (insert, claim,
 * settle), and each one must be justified by a query:
 *
 * - `deliveries_notification_status (notification_id, status)` goes: its leading column repeats
 *   `deliveries_once (notification_id, …)`, which already serves a notification's progress counts,
 *   its cancel and its retention check by that prefix. Index-only counts it promised for broadcast
 *   progress need all-visible pages, which a broadcast being delivered does not have.
 * - `deliveries_service_status_id` (listing by service and status, newest change last) leaves out
 *   `sending` rows: the claim no longer writes it. A listing of `sending` deliveries reads
 *   `deliveries_leased` instead, which holds exactly those (a few per worker slot).
 *
 * The two row triggers that wrote `delivery_status_log` and the status-webhook outbox become
 * statement triggers over transition tables: a batch of n settled deliveries writes its log rows
 * and outbox rows in one INSERT each and sends one wake-up, instead of n trigger calls, n inserts
 * and n notifications. What is logged is unchanged: a row whose status became a reported one.
 */
import { sql, type Kysely } from 'kysely';

/** Statuses that are reported (analytics, status webhooks); `sending`, `queued` and the like are not. */
const REPORTED = `('sent','delivered','opened','clicked','bounced','failed','dead','suppressed')`;

/**
 * Logs the rows of `changed` (deliveries columns plus `at`, when it happened) and writes one outbox
 * message per subscribed endpoint; FOUND tells the caller whether any message was written.
 */
const logAndQueue = (changed: string) => `
     with changed as (${changed}),
     logged as (
       insert into delivery_status_log (delivery_id, notification_id, service_id, channel, provider, status, reason, occurred_at)
       select id, notification_id, service_id, channel, provider, status, reason, at from changed
       returning id as log_id, delivery_id
     )
     insert into webhook_messages (event_id, endpoint_id, service_id, event_type, payload)
     select 'evt_' || l.log_id, e.id, e.service_id, 'delivery.' || c.status, jsonb_build_object(
              'type', 'delivery.' || c.status,
              'timestamp', to_char(c.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'data', jsonb_build_object(
                'deliveryId', c.id, 'notificationId', c.notification_id,
                'notificationType', (select n.type from notifications n where n.id = c.notification_id),
                'recipientId', c.recipient_id, 'channel', c.channel, 'status', c.status,
                'provider', c.provider, 'reason', c.reason, 'attempts', c.attempts))
       from logged l
       join changed c on c.id = l.delivery_id
       join webhook_endpoints e on e.service_id = c.service_id and e.events ? ('delivery.' || c.status);`;

const statements = [
  `drop index if exists deliveries_notification_status`,
  `create index deliveries_service_status_listed on deliveries (service_id, status, updated_at, id)
     where status <> 'sending'`,
  `drop index if exists deliveries_service_status_id`,

  /*
   * The claim shares a lane between services (kysely-delivery-queue.ts): it finds the services with
   * queued work by a loose scan of this index and takes each one's share in its own priority order.
   * Same width as the index it replaces, with the service in front.
   */
  `create index deliveries_claim_fair on deliveries (channel, service_id, bulk, herald_claim_key(next_attempt_at, priority))
     where status = 'queued'`,
  `drop index if exists deliveries_claim_tiered`,

  `drop trigger if exists deliveries_reported_insert on deliveries`,
  `drop trigger if exists deliveries_reported_update on deliveries`,
  `drop function if exists herald_delivery_reported()`,
  // The writer's own time when it set one (seeds and tests backdate), else the statement's.
  `create function herald_deliveries_inserted() returns trigger language plpgsql as $$
   begin
     ${logAndQueue(`select r.*, r.updated_at as at from inserted r where r.status in ${REPORTED}`)}
     if found then perform pg_notify('herald_wake', 'status-webhooks'); end if;
     return null;
   end $$`,
  `create function herald_deliveries_updated() returns trigger language plpgsql as $$
   begin
     ${logAndQueue(`select r.*, case when r.updated_at is distinct from o.updated_at then r.updated_at else now() end as at
                      from updated r join previous o on o.id = r.id
                     where r.status is distinct from o.status and r.status in ${REPORTED}`)}
     if found then perform pg_notify('herald_wake', 'status-webhooks'); end if;
     return null;
   end $$`,
  `create trigger deliveries_reported_insert after insert on deliveries
     referencing new table as inserted for each statement execute function herald_deliveries_inserted()`,
  `create trigger deliveries_reported_update after update on deliveries
     referencing old table as previous new table as updated
     for each statement execute function herald_deliveries_updated()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
