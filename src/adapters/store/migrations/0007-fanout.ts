import { sql, type Kysely } from 'kysely';

const statements = [
  // Topics are per service, like recipient ids; a subscription is a (topic, recipient) pair.
  `create table topic_subscribers (
    service_id uuid not null references services(id) on delete cascade,
    topic text not null,
    recipient_id text not null,
    created_at timestamptz not null default now(),
    primary key (service_id, topic, recipient_id)
  )`,
  // Uploaded audiences: too big for a request body held in memory, so streamed into rows.
  `create table audiences (
    id uuid primary key,
    service_id uuid not null references services(id) on delete cascade,
    size bigint not null default 0,
    created_at timestamptz not null default now()
  )`,
  `create index audiences_service on audiences (service_id, created_at desc)`,
  // Members are read in recipient-id order (the planner's cursor), which the primary key serves.
  `create table audience_members (
    audience_id uuid not null references audiences(id) on delete cascade,
    recipient_id text not null,
    data jsonb,
    primary key (audience_id, recipient_id)
  )`,
  // A broadcast's audience, where the planner stopped (the last recipient id it wrote), and progress.
  `alter table notifications
     add column audience jsonb,
     add column plan_cursor text,
     add column planned_count bigint not null default 0,
     add column total_count bigint,
     add column cancelled_at timestamptz`,
  // Broadcast deliveries are claimed after interactive ones of the same lane, so a transactional
  // message never waits behind a million queued broadcast rows. Interactive rows keep the old order.
  `alter table deliveries add column bulk boolean not null default false`,
  // The claim order becomes (bulk, aged claim key): interactive rows first. This index replaces
  // 0002's deliveries_claim, serving the same order with the tier in front.
  `create index deliveries_claim_tiered on deliveries (channel, bulk, herald_claim_key(next_attempt_at, priority)) where status = 'queued'`,
  `drop index if exists deliveries_claim`,
  // Progress counts by status and cancel both read one notification's deliveries by status.
  `create index deliveries_notification_status on deliveries (notification_id, status)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
