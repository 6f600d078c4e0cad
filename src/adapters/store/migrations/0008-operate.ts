import { sql, type Kysely } from 'kysely';

/** Statuses that are reported (analytics, status webhooks); `sending`, `queued` and the like are not. */
const REPORTED = `('sent','delivered','opened','clicked','bounced','failed','dead','suppressed')`;

const statements = [
  /*
   * Every reported status change of a delivery, appended by a trigger in the same transaction as the
   * change itself, whichever code path made it (lanes, sweeper, receipts, tracking, replays). `txid`
   * lets the analytics job read it by watermark without missing rows that commit out of id order.
   */
  `create table delivery_status_log (
    id bigint generated always as identity primary key,
    txid xid8 not null default pg_current_xact_id(),
    delivery_id uuid not null,
    notification_id uuid not null,
    service_id uuid not null,
    channel text not null,
    provider text,
    status text not null,
    reason text,
    occurred_at timestamptz not null
  )`,
  `create index delivery_status_log_txid on delivery_status_log (txid)`,
  `create index delivery_status_log_delivery on delivery_status_log (delivery_id)`,

  // Hourly counts per status; the analytics API sums these instead of scanning deliveries.
  `create table analytics_rollup (
    service_id uuid not null,
    bucket timestamptz not null,
    channel text not null,
    type text not null,
    provider text not null,
    status text not null,
    n bigint not null,
    primary key (service_id, bucket, channel, type, provider, status)
  )`,
  /*
   * Accept-to-sent latency per hour as a histogram over fixed log-scale slots
   * (domain/latency-histogram.ts), one array per row: a row per slot made the histogram table seven
   * times the size of the counts, and reading it dominated every query.
   */
  `create table analytics_latency (
    service_id uuid not null,
    bucket timestamptz not null,
    channel text not null,
    type text not null,
    provider text not null,
    counts bigint[] not null,
    primary key (service_id, bucket, channel, type, provider)
  )`,
  // How far the rollups have read delivery_status_log: every row with txid below this is counted.
  `create table analytics_watermark (
    id smallint primary key check (id = 1),
    upto xid8 not null
  )`,
  `insert into analytics_watermark (id, upto) values (1, '0')`,

  // Outgoing status webhooks: a service's endpoints and the events each subscribes to.
  `create table webhook_endpoints (
    id uuid primary key,
    service_id uuid not null references services(id) on delete cascade,
    url text not null,
    description text not null default '',
    events jsonb not null,
    secret text not null,
    enabled boolean not null default true,
    disabled_reason text,
    disabled_at timestamptz,
    failing_since timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index webhook_endpoints_service on webhook_endpoints (service_id)`,
  /*
   * The outbox: one row per (event, endpoint), written by the same trigger as the status log, so an
   * event exists exactly when the state change committed. `event_id` is the Standard Webhooks
   * `webhook-id`, the same on every retry.
   */
  `create table webhook_messages (
    id bigint generated always as identity primary key,
    event_id text not null,
    endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
    service_id uuid not null,
    event_type text not null,
    payload jsonb not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_owner text,
    lease_expires_at timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (endpoint_id, event_id)
  )`,
  `create index webhook_messages_due on webhook_messages (next_attempt_at) where status = 'pending'`,
  `create index webhook_messages_leased on webhook_messages (lease_expires_at) where status = 'sending'`,
  `create table webhook_attempts (
    id bigint generated always as identity primary key,
    message_id bigint not null references webhook_messages(id) on delete cascade,
    endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
    attempt integer not null,
    started_at timestamptz not null,
    duration_ms integer not null,
    status_code integer,
    error text
  )`,
  `create index webhook_attempts_endpoint on webhook_attempts (endpoint_id, id desc)`,

  `create function herald_delivery_reported() returns trigger language plpgsql as $$
   declare
     at timestamptz;
     log_id bigint;
     event text;
   begin
     -- The writer's own time when it set one (seeds and tests backdate), else the commit's.
     at := case when tg_op = 'INSERT' or new.updated_at is distinct from old.updated_at
                then new.updated_at else now() end;
     insert into delivery_status_log (delivery_id, notification_id, service_id, channel, provider, status, reason, occurred_at)
     values (new.id, new.notification_id, new.service_id, new.channel, new.provider, new.status, new.reason, at)
     returning id into log_id;
     event := 'delivery.' || new.status;
     insert into webhook_messages (event_id, endpoint_id, service_id, event_type, payload)
     select 'evt_' || log_id, e.id, e.service_id, event, jsonb_build_object(
              'type', event,
              'timestamp', to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'data', jsonb_build_object(
                'deliveryId', new.id, 'notificationId', new.notification_id,
                'notificationType', (select n.type from notifications n where n.id = new.notification_id),
                'recipientId', new.recipient_id, 'channel', new.channel, 'status', new.status,
                'provider', new.provider, 'reason', new.reason, 'attempts', new.attempts))
       from webhook_endpoints e
      where e.service_id = new.service_id and e.events ? event;
     if found then perform pg_notify('herald_wake', 'status-webhooks'); end if;
     return null;
   end $$`,
  // Open and click tracking per type; null means the default (on for commercial, off for transactional).
  `alter table notification_types add column tracking jsonb`,
  `create trigger deliveries_reported_insert after insert on deliveries for each row
     when (new.status in ${REPORTED}) execute function herald_delivery_reported()`,
  `create trigger deliveries_reported_update after update of status on deliveries for each row
     when (new.status is distinct from old.status and new.status in ${REPORTED})
     execute function herald_delivery_reported()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
