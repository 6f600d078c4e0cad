/**
 * The status webhook outbox (rows written by the trigger in migration 0008), claimed like the
 * delivery queue: `FOR UPDATE SKIP LOCKED` under a lease, so any number of workers share it and a
 * worker that dies gives its messages back when the lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { WebhookOutbox } from '../../ports/status-webhooks.ts';
import type { Db } from './db.ts';
import { endpointSecrets, type EndpointSecrets } from './webhook-endpoint-secrets.ts';

/** Rows in the order the worker starts them: one service's, then the next's, in turn; each in id order. */
function roundRobin<R extends { service_id: string }>(rows: readonly R[]): R[] {
  const byService = new Map<string, R[]>();
  for (const r of rows) {
    const list = byService.get(r.service_id);
    if (list) list.push(r);
    else byService.set(r.service_id, [r]);
  }
  const lists = [...byService.values()];
  const out: R[] = [];
  for (let i = 0; out.length < rows.length; i++) for (const l of lists) if (i < l.length) out.push(l[i] as R);
  return out;
}

export function kyselyWebhookOutbox(
  db: Db,
  secrets: EndpointSecrets = endpointSecrets(undefined),
): WebhookOutbox {
  return {
    /**
     * Claims due messages, sharing the claim between the services that have some: each gets a share
     * of `limit` in proportion to its weight (`fair.weights`, by service id, 1 when unset; the
     * delivery lanes' weights), taken from its enabled endpoints in due order. A service may have at
     * most `fair.perService` × its weight messages claimed at once across every worker (counted as
     * the claim starts, so workers claiming at the same moment may briefly pass it), so an endpoint
     * that hangs or fails holds that many posts, never every slot. When more services are waiting
     * than `limit`, a random pivot picks which go this time. The result is round-robin by service.
     */
    async claim(owner, limit, leaseMs, fair = {}) {
      const weights = JSON.stringify(fair.weights ?? {});
      const perService = fair.perService ?? limit;
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
        with recursive waiting as (
          select (select service_id from webhook_messages
                   where status = 'pending' order by service_id limit 1) as service_id
          union all
          select (select m.service_id from webhook_messages m
                   where m.status = 'pending' and m.service_id > w.service_id order by m.service_id limit 1)
            from waiting w where w.service_id is not null
        ), busy as (
          select service_id, count(*)::int as n from webhook_messages where status = 'sending' group by service_id
        ), ready as (
          select w.service_id, x.weight, ceil(${perService} * x.weight)::int - coalesce(b.n, 0) as room
            from waiting w
            left join busy b on b.service_id = w.service_id
           cross join lateral (select coalesce((${weights}::jsonb ->> w.service_id::text)::float8, 1) as weight) x
           where w.service_id is not null
             and exists (select 1 from webhook_endpoints e
                          where e.service_id = w.service_id and e.enabled
                            and exists (select 1 from webhook_messages m
                                         where m.endpoint_id = e.id and m.status = 'pending'
                                           and m.next_attempt_at <= now()))
        ), picked as (
          select service_id, weight, room from ready where room > 0
           order by service_id < ${randomUUID()}::uuid, service_id
           limit ${limit}
        ), shares as (
          select service_id, least(room, ceil(${limit} * weight / sum(weight) over ())::int) as n from picked
        ), c as (
          select due.id from shares s cross join lateral (
            select m.id from webhook_endpoints e cross join lateral (
              select m.id, m.next_attempt_at from webhook_messages m
               where m.endpoint_id = e.id and m.status = 'pending' and m.next_attempt_at <= now()
               order by m.next_attempt_at, m.id
               limit s.n
               for update of m skip locked) m
             where e.service_id = s.service_id and e.enabled
             order by m.next_attempt_at, m.id
             limit s.n) due
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
      return roundRobin(rows).map((r) => ({
        id: r.id,
        eventId: r.event_id,
        endpointId: r.endpoint_id,
        serviceId: r.service_id,
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
