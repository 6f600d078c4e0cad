import { sql, type Kysely } from 'kysely';

const statements = [
  // Notification types grow what preferences and templates need to know about them.
  `alter table notification_types
     add column category text,
     add column kind text not null default 'transactional',
     add column default_channels jsonb not null default '[]',
     add column ttl_seconds integer,
     add column collapse_key text,
     add column updated_at timestamptz not null default now()`,
  `alter table services add column preference_defaults jsonb not null default '{}'`,
  `alter table recipients add column preferences jsonb not null default '{}'`,
  `create table devices (
    id uuid primary key,
    service_id uuid not null,
    recipient_id text not null,
    platform text not null,
    token text not null,
    keys jsonb,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (service_id, token),
    foreign key (service_id, recipient_id) references recipients (service_id, id) on delete cascade
  )`,
  `create index devices_recipient on devices (service_id, recipient_id)`,
  // Templates are never updated in place: each save is a new version, and deliveries name the one used.
  `create table templates (
    service_id uuid not null,
    type_key text not null,
    channel text not null,
    locale text not null,
    version integer not null,
    content jsonb not null,
    created_at timestamptz not null default now(),
    primary key (service_id, type_key, channel, locale, version),
    foreign key (service_id, type_key) references notification_types (service_id, key) on delete cascade
  )`,
  // Push fans out to each device, so a delivery is one (notification, recipient, channel, target);
  // target is '' for channels with one address per recipient.
  `alter table deliveries add column target text not null default ''`,
  `alter table deliveries add column template jsonb`,
  `alter table deliveries drop constraint deliveries_notification_id_recipient_id_channel_key`,
  `alter table deliveries add constraint deliveries_once unique (notification_id, recipient_id, channel, target)`,
  // The frequency cap counts a recipient's recent notifications at every planning.
  `create index deliveries_recipient_recent on deliveries (service_id, recipient_id, created_at)`,
  `create index deliveries_deferred on deliveries (next_attempt_at) where status = 'deferred'`,
  // Secrets Herald makes for itself when the operator gives none (the link-signing key in server mode).
  `create table herald_secrets (
    name text primary key,
    value text not null,
    created_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
