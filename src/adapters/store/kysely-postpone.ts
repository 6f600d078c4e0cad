/**
 * Puts many claimed deliveries back to wait, in one statement, without using up their attempts (no
 * provider could take them: their breaker is open, or the rate limit is spent). Checked per row
 * against the lease, like the one-row postpone; answers, in input order, which leases were held.
 */
import { sql } from 'kysely';
import type { PostponeItem } from '../../ports/store.ts';
import type { Db } from './db.ts';

export async function postponeDeliveries(
  db: Db,
  owner: string,
  items: readonly PostponeItem[],
): Promise<boolean[]> {
  if (items.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    update deliveries d
       set status = 'queued', reason = i.reason, lease_owner = null, lease_expires_at = null,
           attempts = d.attempts - 1, next_attempt_at = now() + i.delay_ms * interval '1 millisecond',
           updated_at = now()
      from unnest(${items.map((i) => i.delivery.id)}::uuid[], ${items.map((i) => i.delayMs)}::int[],
                  ${items.map((i) => i.reason)}::text[]) as i(id, delay_ms, reason)
     where d.id = i.id and d.lease_owner = ${owner} and d.status = 'sending'
    returning d.id`.execute(db);
  const held = new Set(rows.map((r) => r.id));
  return items.map((i) => held.has(i.delivery.id));
}
