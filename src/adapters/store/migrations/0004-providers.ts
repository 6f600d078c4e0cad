import { sql, type Kysely } from 'kysely';

const statements = [
  // Addresses a service must not send to again: hard bounces and complaints, from provider receipts.
  `create table suppressions (
    service_id uuid not null references services(id) on delete cascade,
    channel text not null,
    address text not null,
    reason text not null,
    provider text,
    delivery_id uuid,
    created_at timestamptz not null default now(),
    primary key (service_id, channel, address)
  )`,
  // Every receipt a provider sent about a delivery, whether or not it moved the delivery's state.
  `create table delivery_events (
    id bigint generated always as identity primary key,
    delivery_id uuid not null references deliveries(id) on delete cascade,
    provider text not null,
    event text not null,
    reason text,
    detail jsonb not null default '{}',
    occurred_at timestamptz,
    received_at timestamptz not null default now()
  )`,
  `create index delivery_events_delivery on delivery_events (delivery_id)`,
  // Receipts find their delivery by the provider's message id.
  `create index deliveries_provider_message on deliveries (provider_message_id) where provider_message_id is not null`,
  // Per-service provider credentials, AES-256-GCM encrypted with HERALD_SECRET_KEY; never returned.
  `create table provider_credentials (
    service_id uuid not null references services(id) on delete cascade,
    provider text not null,
    type text not null,
    ciphertext text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (service_id, provider)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
