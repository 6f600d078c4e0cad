import { sql, type Kysely } from 'kysely';

const statements = [
  // One secret per service; the service's backend signs recipient ids (HMAC) or JWTs with it.
  `create table inbox_secrets (
    service_id uuid primary key references services(id) on delete cascade,
    secret text not null,
    created_at timestamptz not null default now(),
    rotated_at timestamptz not null default now()
  )`,
  // The per-recipient event counter. Taking its row lock first serialises a recipient's writers, so
  // event numbers are gapless and commit in order: a client resuming after N can never skip one.
  `create table inbox_cursors (
    service_id uuid not null references services(id) on delete cascade,
    recipient_id text not null,
    last_seq bigint not null default 0,
    primary key (service_id, recipient_id)
  )`,
  `create table inbox_items (
    id uuid primary key,
    service_id uuid not null references services(id) on delete cascade,
    recipient_id text not null,
    notification_id uuid,
    delivery_id uuid unique,
    type text not null,
    title text not null,
    body text not null,
    action_url text,
    data jsonb not null default '{}',
    collapse_key text,
    created_at timestamptz not null,
    seen_at timestamptz,
    read_at timestamptz,
    archived_at timestamptz,
    expires_at timestamptz
  )`,
  // Ids are UUIDv7 (time-ordered), so newest-first pages walk this index.
  `create index inbox_items_recipient on inbox_items (service_id, recipient_id, id desc)`,
  `create index inbox_items_unseen on inbox_items (service_id, recipient_id)
     where seen_at is null and archived_at is null`,
  `create index inbox_items_collapse on inbox_items (service_id, recipient_id, collapse_key)
     where collapse_key is not null and read_at is null`,
  `create index inbox_items_expiry on inbox_items (service_id, recipient_id, expires_at)
     where expires_at is not null`,
  `create table inbox_events (
    service_id uuid not null references services(id) on delete cascade,
    recipient_id text not null,
    seq bigint not null,
    payload jsonb not null,
    created_at timestamptz not null default now(),
    primary key (service_id, recipient_id, seq)
  )`,
  `create table inbox_tickets (
    hash text primary key,
    service_id uuid not null references services(id) on delete cascade,
    recipient_id text not null,
    expires_at timestamptz not null
  )`,
  `create index inbox_tickets_expiry on inbox_tickets (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
