/**
 * Writing planned deliveries, for the planner (many notifications per transaction) and for broadcasts
 * (one notification, a batch of recipients). One statement whatever the size: the rows travel as one
 * JSON parameter, so there is no bind-parameter limit to chunk around, and it runs the same on PGlite
 * and PostgreSQL. A re-run after a crash adds nothing: (notification, recipient, channel, target) is
 * unique. The lanes of queued channels are woken when the transaction commits.
 */
import { sql, type Transaction } from 'kysely';
import { PRIORITY_RANK, type NotificationToPlan, type PlannedDelivery } from '../../domain/types.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { DB } from './db.ts';

export async function insertDeliveries(
  tx: Transaction<DB>,
  planned: readonly { n: NotificationToPlan; deliveries: readonly PlannedDelivery[] }[],
  /** Broadcast deliveries, claimed after interactive ones. */
  bulk: boolean,
): Promise<void> {
  const rows = planned.flatMap(({ n, deliveries }) =>
    deliveries.map((d) => ({
      id: d.id,
      n: n.id,
      sv: n.serviceId,
      p: PRIORITY_RANK[n.priority],
      r: d.recipientId,
      c: d.channel,
      a: d.address,
      s: d.status,
      b: d.content,
      why: d.reason,
      ec: d.status === 'failed' ? d.reason : null,
      em: d.errorMessage ?? null,
      at: d.notBefore ?? null,
      t: d.target ?? '',
      tpl: d.template ?? null,
    })),
  );
  if (rows.length === 0) return;
  await sql`
    insert into deliveries (id, notification_id, service_id, recipient_id, channel, address, status,
                            priority, content, reason, last_error_code, last_error_message,
                            next_attempt_at, target, template, bulk)
    select x.id, x.n, x.sv, x.r, x.c, x.a, x.s, x.p, x.b, x.why,
           x.ec, x.em, coalesce(x.at, now()), x.t, x.tpl, ${bulk}
      from json_to_recordset(${JSON.stringify(rows)}::json)
           as x(id uuid, n uuid, sv uuid, p int, r text, c text, a text, s text, b jsonb, why text,
                ec text, em text, at timestamptz, t text, tpl jsonb)
    on conflict (notification_id, recipient_id, channel, target) do nothing`.execute(tx);
  const lanes = new Set(rows.filter((r) => r.s === 'queued').map((r) => r.c));
  for (const lane of lanes) await sql`select pg_notify(${WAKE_CHANNEL}, ${`lane:${lane}`})`.execute(tx);
}
