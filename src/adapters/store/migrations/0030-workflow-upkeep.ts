import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  // What one notification changes in its type's steps (domain/workflow-steps.ts `StepOverrides`);
  // null for almost every row, so it costs the hot table a bit in the null bitmap.
  `alter table notifications add column step_overrides jsonb`,
  // The planner claims only pending rows and expired 'planning' leases. A notification waiting on a
  // delay (possibly for months), and a cancelled one, no longer sits in the index the claim reads.
  `drop index if exists notifications_to_plan`,
  `create index notifications_to_plan on notifications (created_at) where plan_status in ('pending', 'planning')`,
  // Throttle counters end with their window: the sweeper drops the ones past it. Rows written before
  // this column existed are dropped once older than the longest window (400 days).
  `alter table workflow_throttle_counts add column window_end timestamptz`,
  `create index workflow_throttle_counts_ended on workflow_throttle_counts (window_end)`,
  `create index workflow_throttle_counts_started on workflow_throttle_counts (window_start) where window_end is null`,
  // Closed digests (and their items, which copy the events' data) go with the retention period.
  `create index digests_closed on digests (closed_at) where status = 'closed'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
