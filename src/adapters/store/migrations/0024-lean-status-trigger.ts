/**
 * The status trigger on `deliveries` updates, leaner (see docs/tables.md).
 *
 * Every statement that updates deliveries fires it: the lanes' claims (`queued → sending`) and
 * postpones as much as their settles. Claims and postpones report nothing, yet the trigger of
 * migration 0010 joined the statement's old and new rows before finding that out, which cost a
 * claim up to a third of its time. It now looks first whether any new row has a reported status and
 * returns at once when none has. When some have, it carries only the columns the log and the
 * outbox use, not whole rows (content included), through the join. What is logged is unchanged.
 */
import { sql, type Kysely } from 'kysely';

const REPORTED = `('sent','delivered','opened','clicked','bounced','failed','dead','suppressed')`;

const statements = [
  `create or replace function herald_deliveries_updated() returns trigger language plpgsql as $$
   begin
     if not exists (select 1 from updated where status in ${REPORTED}) then return null; end if;
     with changed as (
       select r.id, r.notification_id, r.service_id, r.recipient_id, r.channel, r.provider, r.status,
              r.reason, r.attempts,
              case when r.updated_at is distinct from o.updated_at then r.updated_at else now() end as at
         from updated r join previous o on o.id = r.id
        where r.status in ${REPORTED} and r.status is distinct from o.status
     ),
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
       join webhook_endpoints e on e.service_id = c.service_id and e.events ? ('delivery.' || c.status);
     if found then perform pg_notify('herald_wake', 'status-webhooks'); end if;
     return null;
   end $$`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
