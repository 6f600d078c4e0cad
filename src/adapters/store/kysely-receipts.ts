/** Receipts and the suppression list on PostgreSQL/PGlite (tables from migration 0004). */
import { sql } from 'kysely';
import { sourcesOf, type DeliveryState } from '../../domain/delivery-states.ts';
import { suppressionKey, type ReceiptStore, type SuppressionList } from '../../ports/receipts.ts';
import type { Db } from './db.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The delivery state each receipt event moves to; the rest are recorded only. */
const TARGET: Partial<Record<string, DeliveryState>> = {
  delivered: 'delivered',
  bounced: 'bounced',
  failed: 'failed',
  opened: 'opened',
  clicked: 'clicked',
};

export function kyselyReceiptStore(db: Db): ReceiptStore {
  return {
    async apply(r) {
      return db.transaction().execute(async (tx) => {
        const byId = r.deliveryId && UUID.test(r.deliveryId) ? r.deliveryId : null;
        const { rows } = await sql<{
          id: string;
          service_id: string;
          channel: string;
          address: string | null;
        }>`
          select id, service_id, channel, address from deliveries
           where ${byId ? sql`id = ${byId}` : sql`provider_message_id = ${r.providerMessageId ?? ''}`}
             and provider = ${r.provider}
             ${r.serviceId ? sql`and service_id = ${r.serviceId}` : sql``}
           limit 1 for update`.execute(tx);
        const d = rows[0];
        // Only the provider that sent a delivery may report on it: a receipt naming another
        // provider's delivery (any SES account can sign SNS messages with a delivery id in them)
        // is treated like one for a delivery that does not exist, and changes nothing.
        if (!d) return 'unknown_delivery';
        await sql`insert into delivery_events (delivery_id, provider, event, reason, detail, occurred_at)
                  values (${d.id}, ${r.provider}, ${r.event}, ${r.reason}, ${JSON.stringify(r.detail)}, ${r.occurredAt})`.execute(
          tx,
        );
        let moved = false;
        const target = TARGET[r.event];
        if (target) {
          // The state machine decides: a late `delivered` after `opened`, say, changes nothing.
          const from = sourcesOf(target);
          const res = await sql`update deliveries set status = ${target}, updated_at = now(),
                                  reason = coalesce(${r.reason}, reason)
                                 where id = ${d.id} and status in (${sql.join(from)})`.execute(tx);
          moved = (res.numAffectedRows ?? 0n) > 0n;
        }
        if (r.suppress && d.address) {
          const address = suppressionKey(d.channel, d.address).split('\n')[1] ?? d.address;
          await sql`insert into suppressions (service_id, channel, address, reason, provider, delivery_id)
                    values (${d.service_id}, ${d.channel}, ${address}, ${r.event === 'complained' ? 'complaint' : 'hard_bounce'}, ${r.provider}, ${d.id})
                    on conflict do nothing`.execute(tx);
        }
        return moved ? 'applied' : 'recorded';
      });
    },

    async servicesFor(provider, providerMessageId) {
      const { rows } = await sql<{ service_id: string }>`
        select distinct service_id from deliveries
         where provider_message_id = ${providerMessageId} and provider = ${provider}
         limit 10`.execute(db);
      return rows.map((r) => r.service_id);
    },
  };
}

export function kyselySuppressionList(db: Db): SuppressionList {
  return {
    async suppressed(serviceId, entries) {
      if (entries.length === 0) return new Set();
      // The wanted (channel, address) pairs as one JSON parameter whatever their number (the same on
      // both drivers), each probed through the primary key.
      const pairs = entries.map((e) => {
        const key = suppressionKey(e.channel, e.address);
        return [e.channel, key.slice(key.indexOf('\n') + 1)];
      });
      const { rows } = await sql<{ channel: string; address: string }>`
        select distinct s.channel, s.address
          from jsonb_array_elements(${JSON.stringify(pairs)}::jsonb) k
          join suppressions s
            on s.service_id = ${serviceId} and s.channel = k ->> 0 and s.address = k ->> 1`.execute(db);
      return new Set(rows.map((row) => suppressionKey(row.channel, row.address)));
    },
  };
}
