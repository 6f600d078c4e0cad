/** Inbox secrets (one per service) and the single-use tickets that put sockets behind them. */
import type { Kysely } from 'kysely';
import type { InboxSecretStore, TicketStore } from '../../ports/inbox.ts';
import type { DB, Db } from './db.ts';
import type { InboxTables } from './inbox-tables.ts';

export function kyselyInboxSecrets(base: Db): InboxSecretStore {
  const db: Kysely<DB & InboxTables> = base.withTables<InboxTables>();
  return {
    async get(serviceId) {
      const row = await db
        .selectFrom('inbox_secrets')
        .select(['secret', 'rotated_at'])
        .where('service_id', '=', serviceId)
        .executeTakeFirst();
      return row ? { secret: row.secret, rotatedAt: row.rotated_at } : null;
    },
    async set(serviceId, secret) {
      const now = new Date();
      await db
        .insertInto('inbox_secrets')
        .values({ service_id: serviceId, secret, created_at: now, rotated_at: now })
        .onConflict((oc) => oc.column('service_id').doUpdateSet({ secret, rotated_at: now }))
        .execute();
      return now;
    },
  };
}

export function kyselyTickets(base: Db): TicketStore {
  const db: Kysely<DB & InboxTables> = base.withTables<InboxTables>();
  return {
    async issue(hash, r, expiresAt, now) {
      // Tickets live seconds; sweeping expired ones as new ones are made keeps the table at its
      // working set even when tickets are fetched and never used.
      await db.deleteFrom('inbox_tickets').where('expires_at', '<', now).execute();
      await db
        .insertInto('inbox_tickets')
        .values({ hash, service_id: r.serviceId, recipient_id: r.recipientId, expires_at: expiresAt })
        .execute();
    },
    async consume(hash, now) {
      const row = await db
        .deleteFrom('inbox_tickets')
        .where('hash', '=', hash)
        .where('expires_at', '>', now)
        .returning(['service_id', 'recipient_id'])
        .executeTakeFirst();
      return row ? { serviceId: row.service_id, recipientId: row.recipient_id } : null;
    },
  };
}
