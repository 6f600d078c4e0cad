import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  // A type's workflow steps (domain/workflow-steps.ts), run for each recipient before the channels send.
  `alter table notification_types add column steps jsonb`,
  // How far a notification's steps got, for a notification that waits (a delay), escalates, or is a
  // digest message (its steps go on after the digest). wake_at: the waiting ends then; null when not
  // waiting. stage: the escalation channel planned next.
  `create table workflow_runs (
     notification_id uuid primary key references notifications(id) on delete cascade,
     service_id uuid not null,
     next_step int not null,
     kind text not null default 'delay',
     stage int not null default 0,
     wake_at timestamptz
   )`,
  `create index workflow_runs_waking on workflow_runs (wake_at) where wake_at is not null`,
  // The timeline: every step's decision for a notification, in order.
  `create table workflow_decisions (
     id bigserial primary key,
     notification_id uuid not null references notifications(id) on delete cascade,
     step int not null,
     type text not null,
     decision text not null,
     at timestamptz not null,
     detail jsonb not null default '{}'
   )`,
  `create index workflow_decisions_notification on workflow_decisions (notification_id, id)`,
  // Throttle counts: one row per (service, type, step, scope, window), bumped by an upsert whose row lock
  // orders concurrent planners; hits remember each notification's place so a re-plan counts it once.
  `create table workflow_throttle_counts (
     service_id uuid not null,
     type text not null,
     step int not null,
     scope text not null,
     window_start timestamptz not null,
     count int not null,
     primary key (service_id, type, step, scope, window_start)
   )`,
  `create table workflow_throttle_hits (
     notification_id uuid not null references notifications(id) on delete cascade,
     step int not null,
     place int not null,
     primary key (notification_id, step)
   )`,
  // Digests: at most one open per (service, recipient, type, step, key); the partial unique index is
  // what settles concurrent events, never a read-then-write.
  `create table digests (
     id uuid primary key,
     service_id uuid not null,
     recipient_id text not null,
     type text not null,
     step int not null,
     key text not null,
     status text not null default 'open',
     channels jsonb not null,
     count int not null,
     max_items int,
     opened_at timestamptz not null,
     close_at timestamptz not null,
     closed_at timestamptz,
     message_id uuid
   )`,
  `create unique index digests_one_open on digests (service_id, recipient_id, type, step, key) where status = 'open'`,
  `create index digests_closing on digests (close_at) where status = 'open'`,
  `create index digests_recipient on digests (service_id, recipient_id, type)`,
  `create table digest_items (
     digest_id uuid not null references digests(id) on delete cascade,
     notification_id uuid not null,
     data jsonb not null,
     at timestamptz not null,
     primary key (digest_id, notification_id)
   )`,
  // A notification joins one digest per step, whatever re-runs its planning.
  `create unique index digest_items_once on digest_items (notification_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
