import { sql, type Selectable } from 'kysely';
import type { Channel } from '../../domain/channels.ts';
import type { StoredTemplate, TemplateStore } from '../../ports/preferences-store.ts';
import { json, type Db, type TemplatesTable } from './db.ts';

const toTemplate = (row: Selectable<TemplatesTable>): StoredTemplate => ({
  typeKey: row.type_key,
  channel: row.channel as Channel,
  locale: row.locale,
  version: row.version,
  content: row.content,
  createdAt: row.created_at,
});

export function kyselyTemplateStore(db: Db): TemplateStore {
  return {
    async save(serviceId, t) {
      // Two saves at once: the primary key refuses the second one's version; retry with the next number.
      for (let tries = 0; ; tries++) {
        try {
          const row = await db
            .insertInto('templates')
            .values({
              service_id: serviceId,
              type_key: t.typeKey,
              channel: t.channel,
              locale: t.locale,
              content: json(t.content),
              version: sql<number>`(select coalesce(max(version), 0) + 1 from templates
                 where service_id = ${serviceId} and type_key = ${t.typeKey}
                   and channel = ${t.channel} and locale = ${t.locale})`,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toTemplate(row);
        } catch (err) {
          if (tries < 20 && (err as { code?: string }).code === '23505') continue;
          throw err;
        }
      }
    },
    async latest(serviceId, typeKey) {
      const rows = await db
        .selectFrom('templates')
        .selectAll()
        .distinctOn(['channel', 'locale'])
        .where('service_id', '=', serviceId)
        .where('type_key', '=', typeKey)
        .orderBy('channel')
        .orderBy('locale')
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toTemplate);
    },
    async history(serviceId, typeKey, channel, locale) {
      const rows = await db
        .selectFrom('templates')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('type_key', '=', typeKey)
        .where('channel', '=', channel)
        .where('locale', '=', locale)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toTemplate);
    },
  };
}
