import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  // One rule per (service, event name): the notifications that event makes, as the API saved them.
  `create table trigger_rules (
     service_id uuid not null references services(id) on delete cascade,
     event text not null,
     notifications jsonb not null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (service_id, event)
   )`,
  // Events a service sent. The caller's id is the idempotency key; request_hash tells a replay from a
  // different body. The row is also the worker's queue: pending → processing (leased) → processed or
  // unmatched, like notifications are planned. outcome lists each rule notification and what became of it.
  `create table events (
     service_id uuid not null references services(id) on delete cascade,
     id text not null,
     name text not null,
     payload jsonb not null,
     occurred_at timestamptz,
     request_hash text not null,
     status text not null default 'pending',
     lease_owner text,
     lease_expires_at timestamptz,
     outcome jsonb,
     error text,
     received_at timestamptz not null default now(),
     processed_at timestamptz,
     primary key (service_id, id)
   )`,
  // The worker's claim reads only what is not finished, oldest first.
  `create index events_open on events (received_at) where status in ('pending', 'processing')`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
