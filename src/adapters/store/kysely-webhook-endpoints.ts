/**
 * A service's status webhook endpoints and their delivery log. Every query is scoped to the service.
 * The signing secret is written sealed when a key is configured (webhook-endpoint-secrets.ts) and
 * never read back here: only the outbox opens it, to sign.
 */
import { sql } from 'kysely';
import type {
  WebhookAttemptLog,
  WebhookEndpoint,
  WebhookEndpointStore,
} from '../../ports/status-webhooks.ts';
import { WAKE_STATUS_WEBHOOKS } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { Db } from './db.ts';
import { endpointSecrets, type EndpointSecrets } from './webhook-endpoint-secrets.ts';

interface Row {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = sql.raw(
  'id, url, description, events, enabled, disabled_reason, disabled_at, failing_since, created_at, updated_at',
);

const toEndpoint = (r: Row): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  description: r.description,
  events: r.events,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  disabledAt: r.disabled_at,
  failingSince: r.failing_since,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function kyselyWebhookEndpoints(
  db: Db,
  secrets: EndpointSecrets = endpointSecrets(undefined),
): WebhookEndpointStore {
  return {
    async create(serviceId, e) {
      const secret = secrets.seal(serviceId, e.id, e.secret);
      const { rows } = await sql<Row>`
        insert into webhook_endpoints (id, service_id, url, description, events, secret)
        values (${e.id}, ${serviceId}, ${e.url}, ${e.description}, ${JSON.stringify(e.events)}::jsonb, ${secret})
        returning ${COLUMNS}`.execute(db);
      return toEndpoint(rows[0] as Row);
    },

    async list(serviceId) {
      const { rows } = await sql<Row>`
        select ${COLUMNS} from webhook_endpoints where service_id = ${serviceId} order by created_at, id`.execute(
        db,
      );
      return rows.map(toEndpoint);
    },

    async get(serviceId, id) {
      const { rows } = await sql<Row>`
        select ${COLUMNS} from webhook_endpoints where service_id = ${serviceId} and id = ${id}`.execute(db);
      return rows[0] ? toEndpoint(rows[0]) : null;
    },

    async update(serviceId, id, patch) {
      return db.transaction().execute(async (tx) => {
        const { rows } = await sql<Row & { was_enabled: boolean }>`
          update webhook_endpoints e set
            url = coalesce(${patch.url ?? null}, e.url),
            description = coalesce(${patch.description ?? null}, e.description),
            events = coalesce(${patch.events ? JSON.stringify(patch.events) : null}::jsonb, e.events),
            enabled = coalesce(${patch.enabled ?? null}::boolean, e.enabled),
            disabled_reason = case when ${patch.enabled ?? null}::boolean then null
                                   when ${patch.enabled ?? null}::boolean = false then 'disabled by API'
                                   else e.disabled_reason end,
            disabled_at = case when ${patch.enabled ?? null}::boolean then null
                               when ${patch.enabled ?? null}::boolean = false then now()
                               else e.disabled_at end,
            failing_since = case when ${patch.enabled ?? null}::boolean then null else e.failing_since end,
            updated_at = now()
           from (select enabled as was_enabled from webhook_endpoints
                  where service_id = ${serviceId} and id = ${id} for update) old
          where e.service_id = ${serviceId} and e.id = ${id}
          returning ${sql.raw(
            'e.id, e.url, e.description, e.events, e.enabled, e.disabled_reason, e.disabled_at, e.failing_since, e.created_at, e.updated_at',
          )}, old.was_enabled`.execute(tx);
        const row = rows[0];
        if (!row) return null;
        // Back from disabled: what was given up while it failed is sent again, so nothing is lost.
        if (patch.enabled === true && !row.was_enabled) {
          await sql`update webhook_messages
                       set status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
                     where endpoint_id = ${id} and status = 'failed'`.execute(tx);
          await sql`select pg_notify(${WAKE_CHANNEL}, ${WAKE_STATUS_WEBHOOKS})`.execute(tx);
        }
        return toEndpoint(row);
      });
    },

    async remove(serviceId, id) {
      const res =
        await sql`delete from webhook_endpoints where service_id = ${serviceId} and id = ${id}`.execute(db);
      return Number(res.numAffectedRows ?? 0) > 0;
    },

    async attempts(serviceId, id, before, limit) {
      const { rows } = await sql<{
        id: string;
        event_id: string;
        event_type: string;
        attempt: number;
        started_at: Date;
        duration_ms: number;
        status_code: number | null;
        error: string | null;
        message_status: string;
      }>`
        select a.id::text as id, m.event_id, m.event_type, a.attempt, a.started_at, a.duration_ms,
               a.status_code, a.error, m.status as message_status
          from webhook_attempts a
          join webhook_endpoints e on e.id = a.endpoint_id
          join webhook_messages m on m.id = a.message_id
         where e.service_id = ${serviceId} and a.endpoint_id = ${id}
           and (${before}::bigint is null or a.id < ${before}::bigint)
         order by a.id desc
         limit ${limit}`.execute(db);
      return rows.map((r): WebhookAttemptLog => ({
        id: r.id,
        eventId: r.event_id,
        eventType: r.event_type,
        attempt: r.attempt,
        startedAt: r.started_at,
        durationMs: r.duration_ms,
        statusCode: r.status_code,
        error: r.error,
        messageStatus: r.message_status,
      }));
    },
  };
}
