/**
 * The planner's claim index in the claim's own order (see docs/tables.md).
 *
 * The claim takes pending notifications by `(priority, created_at)`. `notifications_to_plan` was on
 * `created_at` alone, so every claim was two bitmap scans and a sort over all pending and leased
 * entries (and, until a vacuum, over the dead ones of notifications already planned), and the store
 * first ran a separate probe in `created_at` order to mark those dead entries and to end idle polls.
 * On `(priority, created_at)` the claim is an ordered index scan that stops at its limit and marks
 * the dead entries it passes itself, so the probe and its round trip go. Same predicate as before:
 * the queue statistics count from it as they did. Replaced, not added, so a notification still
 * costs one entry in it.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `drop index if exists notifications_to_plan`,
  `create index notifications_to_plan on notifications (priority, created_at) where plan_status in ('pending', 'planning')`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
