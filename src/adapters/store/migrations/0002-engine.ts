import { sql, type Kysely } from 'kysely';

const statements = [
  /*
   * Claim order with aging. Ordering by next_attempt_at + priority × 10 min is the same as ordering
   * by "priority − waiting time / 10 min": a critical delivery goes before normal ones that became
   * due less than 20 minutes earlier, and a low-priority backlog moves once it has waited 30 minutes
   * longer than what keeps arriving above it, so nothing starves. Being one column-free expression
   * it can be indexed, and the claim stays an index scan however big the queue is. Declared
   * immutable, which holds: adding a whole number of minutes to a timestamptz ignores time zones.
   */
  `create function herald_claim_key(due timestamptz, priority smallint) returns timestamptz
     language sql immutable parallel safe
     as $$ select due + priority * interval '10 minutes' $$`,
  `drop index deliveries_due`,
  `create index deliveries_claim on deliveries (channel, herald_claim_key(next_attempt_at, priority)) where status = 'queued'`,
  // Dead-letter listings page by (updated_at, id) within a service and state.
  `create index deliveries_service_status_id on deliveries (service_id, status, updated_at, id)`,
  `drop index deliveries_service_status`,
  // A replayed delivery gets a fresh retry budget, counted in age from its replay.
  `alter table deliveries add column replayed_at timestamptz`,
  /*
   * What each worker last knew about each provider: breaker state and recent outcomes. Workers write
   * it every few seconds and on every breaker change; the API reads it for GET /v1/providers.
   */
  `create table provider_status (
    provider text not null,
    owner text not null,
    channel text not null,
    state text not null,
    opened_at timestamptz,
    succeeded integer not null,
    failed integer not null,
    updated_at timestamptz not null default now(),
    primary key (provider, owner)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
