/**
 * A table shaped like Herald's `notifications` (columns and indexes as the migrations leave them, up to
 * 0036), for ceilings. Herald's statement-level trigger (the service check that replaced the foreign
 * key) is left out: the ceilings run no Herald code.
 */
export const NOTIFICATIONS_SHAPE = `
  create table if not exists bench_notifications (
    id uuid primary key,
    service_id uuid not null,
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
    audience jsonb,
    plan_cursor text,
    planned_count bigint not null default 0,
    total_count bigint,
    cancelled_at timestamptz,
    step_overrides jsonb,
    unique (service_id, idempotency_key)
  );
  create index if not exists bench_notifications_to_plan on bench_notifications (priority, created_at)
    where plan_status in ('pending', 'planning');
  create index if not exists bench_notifications_service on bench_notifications (service_id, created_at desc);
  create index if not exists bench_notifications_created on bench_notifications (created_at);
`;

/**
 * What a ceiling stores as a row's request hash: as long as the SHA-256 hex Herald stores (64
 * characters), so that the rows are as wide as Herald's. Not computed: hashing is Herald's work.
 */
export const REQUEST_HASH = 'f'.repeat(64);
