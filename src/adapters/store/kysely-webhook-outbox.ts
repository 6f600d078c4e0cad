/**
 * The status webhook outbox (rows written by the trigger in migration 0008), claimed like the
 * delivery queue: `FOR UPDATE SKIP LOCKED` under a lease, so any number of workers share it and a
 * worker that dies gives its messages back when the lease runs out.
 */
import { sql } from 'kysely';
import type { WebhookOutbox } from '../../ports/operate-store.ts';
import type { Db } from './db.ts';
import { endpointSecrets, type EndpointSecrets } from './webhook-endpoint-secrets.ts';

export function kyselyWebhookOutbox(
  db: Db,
  secrets: EndpointSecrets = endpointSecrets(undefined),
): WebhookOutbox {
  return {
    async claim(owner, limit, leaseMs) {
      const { rows } = await sql<{
        id: string;
        event_id: string;
        endpoint_id: string;
        service_id: string;
        url: string;
        secret: string;
        payload: unknown;
        attempts: number;
        created_at: Date;
      }>`
        with c as (
          select m.id from webhook_messages m
            join webhook_endpoints e on e.id = m.endpoint_id
           where m.status = 'pending' and m.next_attempt_at <= now() and e.enabled
           order by m.next_attempt_at, m.id
           limit ${limit}
           for update of m skip locked
        ), claimed as (
          update webhook_messages m
             set status = 'sending', lease_owner = ${owner}, attempts = m.attempts + 1,
                 lease_expires_at = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
            from c where m.id = c.id
          returning m.*
        )
        select claimed.id::text as id, claimed.event_id, claimed.endpoint_id, e.service_id, e.url, e.secret,
               claimed.payload, claimed.attempts, claimed.created_at
          from claimed join webhook_endpoints e on e.id = claimed.endpoint_id
         order by claimed.id`.execute(db);
      return rows.map((r) => ({
        id: r.id,
        eventId: r.event_id,
        endpointId: r.endpoint_id,
        url: r.url,
        secret: secrets.open(r.service_id, r.endpoint_id, r.secret),
        payload: r.payload,
        attempts: r.attempts,
        createdAt: r.created_at,
      }));
    },

    async settle(m, owner, attempt, next) {
      await db.transaction().execute(async (tx) => {
        const moved = await sql`
          update webhook_messages set
            status = ${next.ok ? 'succeeded' : next.retryInMs === null ? 'failed' : 'pending'},
            next_attempt_at = case when ${next.ok ? null : next.retryInMs}::bigint is null then next_attempt_at
                                   else now() + ${next.ok ? null : next.retryInMs}::bigint * interval '1 millisecond' end,
            last_error = ${attempt.error}, lease_owner = null, lease_expires_at = null, updated_at = now()
           where id = ${m.id}::bigint and lease_owner = ${owner} and status = 'sending'`.execute(tx);
        await sql`
          insert into webhook_attempts (message_id, endpoint_id, attempt, started_at, duration_ms, status_code, error)
          values (${m.id}::bigint, ${m.endpointId}, ${m.attempts}, ${attempt.startedAt}, ${attempt.durationMs},
                  ${attempt.statusCode}, ${attempt.error})`.execute(tx);
        if (Number(moved.numAffectedRows ?? 0) === 0) return;
        if (next.ok) {
          await sql`update webhook_endpoints set failing_since = null
                     where id = ${m.endpointId} and failing_since is not null`.execute(tx);
        } else if (next.retryInMs === null) {
          // A message failed through the whole schedule (hours): the endpoint is persistently down.
          await sql`update webhook_endpoints
                       set enabled = false, disabled_at = now(), updated_at = now(),
                           disabled_reason = 'retries exhausted: ' || ${attempt.error ?? 'failed'}::text
                     where id = ${m.endpointId} and enabled`.execute(tx);
        } else {
          await sql`update webhook_endpoints set failing_since = coalesce(failing_since, now())
                     where id = ${m.endpointId}`.execute(tx);
        }
      });
    },

    async release(ids, owner) {
      if (ids.length === 0) return;
      await sql`update webhook_messages
                   set status = 'pending', attempts = attempts - 1, lease_owner = null, lease_expires_at = null
                 where id in (${sql.join(ids.map((id) => sql`${id}::bigint`))})
                   and lease_owner = ${owner} and status = 'sending'`.execute(db);
    },

    async prune(olderThanMs) {
      // Only delivered ones: a pending or given-up message is work still owed to its endpoint.
      const res = await sql`delete from webhook_messages
                             where id in (select id from webhook_messages
                                           where status = 'succeeded'
                                             and updated_at < now() - ${olderThanMs} * interval '1 millisecond'
                                           limit 10000)`.execute(db);
      return Number(res.numAffectedRows ?? 0);
    },

    async reclaimExpired() {
      const res = await sql`update webhook_messages
                               set status = 'pending', lease_owner = null, lease_expires_at = null, updated_at = now()
                             where status = 'sending' and lease_expires_at < now()`.execute(db);
      return Number(res.numAffectedRows ?? 0);
    },
  };
}
