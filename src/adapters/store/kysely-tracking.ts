/**
 * Opens and clicks: each is recorded as a delivery event, and moves the delivery on when the state
 * table allows (a click on a sent mail goes straight to `clicked`; a second open changes nothing).
 * The status change fires the status log trigger, so analytics and status webhooks see it.
 */
import { sql } from 'kysely';
import { sourcesOf } from '../../domain/delivery-states.ts';
import type { TrackingStore } from '../../ports/tracking.ts';
import type { Db } from './db.ts';

export function kyselyTrackingStore(db: Db): TrackingStore {
  return {
    async record(deliveryId, kind, url) {
      const target = kind === 'open' ? 'opened' : 'clicked';
      await db.transaction().execute(async (tx) => {
        await sql`insert into delivery_events (delivery_id, provider, event, detail, occurred_at)
                  select id, 'herald', ${target}, ${JSON.stringify(url ? { url } : {})}::jsonb, now()
                    from deliveries where id = ${deliveryId}`.execute(tx);
        await sql`update deliveries set status = ${target}, updated_at = now()
                   where id = ${deliveryId} and status in (${sql.join(sourcesOf(target))})`.execute(tx);
      });
    },
  };
}
