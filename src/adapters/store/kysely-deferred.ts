import { sql } from 'kysely';
import type { Channel } from '../../domain/channels.ts';
import { sourcesOf } from '../../domain/delivery-states.ts';
import type { SecretStore } from '../../ports/secrets.ts';
import type { DeferredQueue } from '../../ports/store.ts';
import type { Db } from './db.ts';

export function kyselyDeferredQueue(db: Db): DeferredQueue {
  if (!sourcesOf('queued').includes('deferred'))
    throw new Error('deferred → queued must be a legal transition');
  return {
    async releaseDue(limit) {
      const { rows } = await sql<{ channel: string }>`
        update deliveries d set status = 'queued', updated_at = now()
          from (select id from deliveries
                 where status = 'deferred' and next_attempt_at <= now()
                 order by next_attempt_at
                 limit ${limit}
                 for update skip locked) due
         where d.id = due.id
        returning d.channel`.execute(db);
      return [...new Set(rows.map((r) => r.channel as Channel))];
    },
  };
}

export function kyselySecretStore(db: Db): SecretStore {
  return {
    async getOrCreate(name, make) {
      await db
        .insertInto('herald_secrets')
        .values({ name, value: make() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('herald_secrets')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
