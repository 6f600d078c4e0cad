import { sql, type Kysely } from 'kysely';

const statements = [
  `create table services (
    id uuid primary key,
    name text not null,
    created_at timestamptz not null default now()
  )`,
  `create table notification_types (
    service_id uuid not null references services(id) on delete cascade,
    key text not null,
    description text not null default '',
    created_at timestamptz not null default now(),
    primary key (service_id, key)
  )`,
  `create table api_keys (
    id uuid primary key,
    service_id uuid not null references services(id) on delete cascade,
    public_id text not null unique,
    secret_hash text not null,
    label text,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  )`,
  `create index api_keys_service on api_keys (service_id)`,
  `create table recipients (
    service_id uuid not null references services(id) on delete cascade,
    id text not null,
    email text,
    phone text,
    locale text,
    timezone text,
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (service_id, id)
  )`,
  `create table notifications (
    id uuid primary key,
    service_id uuid not null references services(id) on delete cascade,
    type text not null,
    recipient_id text,
    channels jsonb not null,
    data jsonb not null default '{}',
    content jsonb not null default '{}',
    priority smallint not null default 2,
    idempotency_key text,
    request_hash text not null,
    plan_status text not null default 'pending',
    plan_error text,
    lease_owner text,
    lease_expires_at timestamptz,
    created_at timestamptz not null default now(),
    planned_at timestamptz,
    unique (service_id, idempotency_key)
  )`,
  // The planner's queue: only rows still to plan are indexed, so it stays small.
  `create index notifications_to_plan on notifications (created_at) where plan_status <> 'planned' and plan_status <> 'failed'`,
  `create index notifications_service on notifications (service_id, created_at desc)`,
  `create table deliveries (
    id uuid primary key,
    notification_id uuid not null references notifications(id) on delete cascade,
    service_id uuid not null,
    recipient_id text not null,
    channel text not null,
    address text,
    status text not null,
    priority smallint not null default 2,
    provider text,
    content jsonb not null default '{}',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_owner text,
    lease_expires_at timestamptz,
    reason text,
    last_error_code text,
    last_error_message text,
    provider_message_id text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    sent_at timestamptz,
    unique (notification_id, recipient_id, channel)
  )`,
  // The lanes' queue: a partial index over due rows only, in claim order.
  `create index deliveries_due on deliveries (channel, priority, next_attempt_at) where status = 'queued'`,
  `create index deliveries_leased on deliveries (lease_expires_at) where status = 'sending'`,
  `create index deliveries_service_status on deliveries (service_id, status, updated_at)`,
  `create table delivery_attempts (
    id bigint generated always as identity primary key,
    delivery_id uuid not null references deliveries(id) on delete cascade,
    attempt integer not null,
    provider text,
    started_at timestamptz not null,
    duration_ms integer not null,
    outcome text not null,
    error_code text,
    error_message text,
    provider_message_id text
  )`,
  `create index delivery_attempts_delivery on delivery_attempts (delivery_id)`,
  `create table captured_messages (
    id uuid primary key,
    service_id uuid not null references services(id) on delete cascade,
    delivery_id uuid not null,
    channel text not null,
    "to" text not null,
    content jsonb not null,
    created_at timestamptz not null default now()
  )`,
  `create index captured_messages_service on captured_messages (service_id, created_at desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
