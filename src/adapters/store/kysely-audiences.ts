/**
 * Uploaded audiences. Lines arrive as a stream and are staged in batches, each its own short write, so
 * an upload that trickles in for minutes holds no transaction (and no PGlite connection, no snapshot)
 * open meanwhile. One update at the end commits it: until `ready` is set nothing can use it, and a
 * failed upload is deleted (a crashed one by `dropAbandoned`).
 */
import { sql } from 'kysely';
import type { AudienceLine } from '../../domain/audience.ts';
import type { AudienceStore } from '../../ports/audience-store.ts';
import type { Db } from './db.ts';

const BATCH = 5000;

export function kyselyAudienceStore(db: Db): AudienceStore {
  const stage = async (id: string, batch: AudienceLine[]) => {
    // A recipient listed twice is one member, with the data of its first line.
    await sql`
      insert into audience_members (audience_id, recipient_id, data)
      select ${id}, x.id, x.data from json_to_recordset(${JSON.stringify(batch)}::json) as x(id text, data jsonb)
      on conflict do nothing`.execute(db);
  };
  const drop = async (id: string) => {
    await sql`delete from audiences where id = ${id} and not ready`.execute(db);
  };
  return {
    async upload(serviceId, id, lines) {
      await sql`insert into audiences (id, service_id, ready) values (${id}, ${serviceId}, false)`.execute(
        db,
      );
      try {
        let batch: AudienceLine[] = [];
        for await (const line of lines) {
          batch.push(line);
          if (batch.length >= BATCH) {
            await stage(id, batch);
            batch = [];
          }
        }
        if (batch.length > 0) await stage(id, batch);
        const { rows } = await sql<{ size: number; created_at: Date }>`
          update audiences set ready = true,
                 size = (select count(*) from audience_members where audience_id = ${id})
           where id = ${id} and not ready returning size::int as size, created_at`.execute(db);
        const row = rows[0];
        if (!row) throw new Error(`audience ${id} was removed while it was being uploaded`);
        return { id, size: row.size, createdAt: row.created_at };
      } catch (err) {
        await drop(id).catch(() => undefined);
        throw err;
      }
    },
    async dropAbandoned(olderThan) {
      const { rows } = await sql<{ id: string }>`
        delete from audiences where not ready and created_at < ${olderThan} returning id`.execute(db);
      return rows.length;
    },
    async exists(serviceId, id) {
      return (await this.get(serviceId, id)) !== null;
    },
    async get(serviceId, id) {
      const { rows } = await sql<{ id: string; size: number; created_at: Date }>`
        select id, size::int as size, created_at from audiences
         where id = ${id} and service_id = ${serviceId} and ready`.execute(db);
      const row = rows[0];
      return row ? { id: row.id, size: row.size, createdAt: row.created_at } : null;
    },
  };
}
