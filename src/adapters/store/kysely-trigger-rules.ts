import { sql } from 'kysely';
import type { RuleNotification } from '../../domain/trigger-rules.ts';
import type { StoredRule, TriggerRuleStore } from '../../ports/events.ts';
import type { Db } from './db.ts';

interface RuleRow {
  event: string;
  notifications: RuleNotification[];
  created_at: Date;
  updated_at: Date;
}

const toRule = (r: RuleRow): StoredRule => ({
  event: r.event,
  notifications: r.notifications,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function kyselyTriggerRules(db: Db): TriggerRuleStore {
  return {
    async put(serviceId, event, notifications) {
      const { rows } = await sql<RuleRow & { created: boolean }>`
        insert into trigger_rules (service_id, event, notifications)
        values (${serviceId}, ${event}, ${JSON.stringify(notifications)}::jsonb)
        on conflict (service_id, event) do update
           set notifications = excluded.notifications, updated_at = now()
        returning event, notifications, created_at, updated_at, (xmax = 0) as created`.execute(db);
      const row = rows[0] as RuleRow & { created: boolean };
      return { rule: toRule(row), created: row.created };
    },

    async get(serviceId, event) {
      const { rows } = await sql<RuleRow>`
        select event, notifications, created_at, updated_at from trigger_rules
         where service_id = ${serviceId} and event = ${event}`.execute(db);
      return rows[0] ? toRule(rows[0]) : null;
    },

    async list(serviceId, cursor, limit) {
      const { rows } = await sql<RuleRow>`
        select event, notifications, created_at, updated_at from trigger_rules
         where service_id = ${serviceId} and (${cursor}::text is null or event > ${cursor})
         order by event limit ${limit}`.execute(db);
      return rows.map(toRule);
    },

    async delete(serviceId, event) {
      const { numAffectedRows } = await sql`
        delete from trigger_rules where service_id = ${serviceId} and event = ${event}`.execute(db);
      return Number(numAffectedRows ?? 0) > 0;
    },
  };
}
