/** Uploaded audiences: lines arrive as a stream and are written in batches, never held whole. */
import { sql } from 'kysely';
import type { AudienceLine } from '../../domain/audience.ts';
import type { AudienceStore } from '../../ports/audience-store.ts';
import type { Db } from './db.ts';

const BATCH = 5000;

export function kyselyAudienceStore(db: Db): AudienceStore {
  return {
    async upload(serviceId, id, lines) {
      return db.transaction().execute(async (tx) => {
        await sql`insert into audiences (id, service_id) values (${id}, ${serviceId})`.execute(tx);
        let batch: AudienceLine[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          const rows = JSON.stringify(batch);
          batch = [];
          // A recipient listed twice is one member, with the data of its first line.
          await sql`
            insert into audience_members (audience_id, recipient_id, data)
            select ${id}, x.id, x.data from json_to_recordset(${rows}::json) as x(id text, data jsonb)
            on conflict do nothing`.execute(tx);
        };
        for await (const line of lines) {
          batch.push(line);
          if (batch.length >= BATCH) await flush();
        }
        await flush();
        const { rows } = await sql<{ size: number; created_at: Date }>`
          update audiences set size = (select count(*) from audience_members where audience_id = ${id})
           where id = ${id} returning size::int as size, created_at`.execute(tx);
        const row = rows[0];
        return { id, size: row?.size ?? 0, createdAt: row?.created_at ?? new Date() };
      });
    },
    async exists(serviceId, id) {
      return (await this.get(serviceId, id)) !== null;
    },
    async get(serviceId, id) {
      const { rows } = await sql<{ id: string; size: number; created_at: Date }>`
        select id, size::int as size, created_at from audiences where id = ${id} and service_id = ${serviceId}`.execute(
        db,
      );
      const row = rows[0];
      return row ? { id: row.id, size: row.size, createdAt: row.created_at } : null;
    },
  };
}
