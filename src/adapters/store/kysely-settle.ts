/**
 * Settles many claimed deliveries in one statement: the state changes and the attempt rows are
 * written by one data-modifying CTE over `unnest`ed arrays, one element per delivery. A lane's
 * outcomes arrive together (group commit, see app/settle-batcher.ts), so a batch of n costs one round
 * trip instead of n.
 *
 * The guarantees of the one-row settle hold row by row:
 * - lease check per row: a row moves only while this owner still holds it in `sending`; a row whose
 *   lease another worker took is left alone;
 * - the attempt is recorded for every row, held or not: the send happened either way;
 * - the answer says, per row, whether the lease was still held (the statement returns the rows
 *   whose lease was lost, usually none).
 */
import { sql } from 'kysely';
import type { SettleItem } from '../../ports/store.ts';
import type { Db } from './db.ts';

/** Returns, in input order, whether each delivery's lease was still held (and so it moved). */
export async function settleDeliveries(
  db: Db,
  owner: string,
  items: readonly SettleItem[],
): Promise<boolean[]> {
  if (items.length === 0) return [];
  const col = <T>(f: (i: SettleItem) => T) => items.map(f);
  const { rows } = await sql<{ id: string }>`
    with input as (
      select * from unnest(
        ${col((i) => i.delivery.id)}::uuid[],
        ${col((i) => i.outcome.status)}::text[],
        ${col((i) => (i.outcome.status === 'sent' ? null : i.outcome.reason))}::text[],
        ${col((i) => (i.outcome.status === 'queued' ? i.outcome.delayMs : null))}::int[],
        ${col((i) => i.attempt.provider ?? (i.outcome.status === 'sent' ? i.outcome.provider : null))}::text[],
        ${col((i) => (i.outcome.status === 'sent' ? i.outcome.providerMessageId : null))}::text[],
        ${col((i) => i.attempt.attempt)}::int[],
        ${col((i) => i.attempt.startedAt.toISOString())}::timestamptz[],
        ${col((i) => i.attempt.durationMs)}::int[],
        ${col((i) => i.attempt.outcome)}::text[],
        ${col((i) => i.attempt.errorCode)}::text[],
        ${col((i) => i.attempt.errorMessage)}::text[],
        ${col((i) => i.attempt.providerMessageId)}::text[]
      ) as t(id, status, reason, delay_ms, provider, provider_message_id, attempt, started_at,
             duration_ms, outcome, error_code, error_message, attempt_message_id)
    ), moved as (
      update deliveries d
         set status = i.status,
             reason = i.reason,
             provider = coalesce(i.provider, d.provider),
             provider_message_id = case when i.status = 'sent' then i.provider_message_id else d.provider_message_id end,
             sent_at = case when i.status = 'sent' then now() else d.sent_at end,
             next_attempt_at = case when i.status = 'queued'
                                    then now() + i.delay_ms * interval '1 millisecond'
                                    else d.next_attempt_at end,
             last_error_code = case when i.status = 'sent' then d.last_error_code else i.error_code end,
             last_error_message = case when i.status = 'sent' then d.last_error_message else i.error_message end,
             lease_owner = null, lease_expires_at = null, updated_at = now()
        from input i
       where d.id = i.id and d.lease_owner = ${owner} and d.status = 'sending'
      returning d.id
    ), recorded as (
      insert into delivery_attempts (delivery_id, attempt, provider, started_at, duration_ms, outcome,
                                     error_code, error_message, provider_message_id)
      select id, attempt, provider, started_at, duration_ms, outcome, error_code, error_message, attempt_message_id
        from input
    )
    -- Only the rows whose lease was lost come back: in the usual batch, where every lease held,
    -- nothing is returned, parsed or built into a set (one row per delivery before).
    select i.id from input i where not exists (select 1 from moved m where m.id = i.id)`.execute(db);
  if (rows.length === 0) return items.map(() => true);
  const lost = new Set(rows.map((r) => r.id));
  return items.map((i) => !lost.has(i.delivery.id));
}
