/** A table shaped like Herald's `notifications` (columns and indexes as in the migrations), for ceilings. */
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
    unique (service_id, idempotency_key)
  );
  create index if not exists bench_notifications_to_plan on bench_notifications (created_at)
    where plan_status <> 'planned' and plan_status <> 'failed';
  create index if not exists bench_notifications_service on bench_notifications (service_id, created_at desc);
  create index if not exists bench_notifications_created on bench_notifications (created_at);
`;
