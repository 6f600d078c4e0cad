/**
 * Writing a notification's workflow decisions, and closing a digest into its message: shared by the
 * workflow store (sweeps and releases close digests) and the digest join (a full digest closes at once).
 */
import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Channel } from '../../domain/channels.ts';
import { priorityName } from '../../domain/types.ts';
import type { StepDecision, StepOverrides } from '../../domain/workflow-steps.ts';
import type { DB } from './db.ts';
import { acceptMany } from './kysely-accept-many.ts';

/** Newest items a digest message carries in `digest.items` when the step sets no `maxItems`. */
export const DIGEST_ITEMS_SHOWN = 100;

export function recordIn(tx: Kysely<DB>, notificationId: string, decisions: readonly StepDecision[]) {
  return recordMany(tx, [{ notificationId, decisions }]);
}

/** Many notifications' decisions, in one statement. */
export async function recordMany(
  tx: Kysely<DB>,
  timelines: readonly { notificationId: string; decisions: readonly StepDecision[] }[],
): Promise<void> {
  const rows = timelines.flatMap((t) => t.decisions.map((d) => ({ id: t.notificationId, d })));
  if (rows.length === 0) return;
  await sql`
    insert into workflow_decisions (notification_id, step, type, decision, at, detail)
    select * from unnest(
      ${rows.map((r) => r.id)}::uuid[],
      ${rows.map((r) => r.d.step)}::int[], ${rows.map((r) => r.d.type)}::text[],
      ${rows.map((r) => r.d.decision)}::text[], ${rows.map((r) => r.d.at.toISOString())}::timestamptz[],
      ${rows.map((r) => JSON.stringify(r.d.detail))}::jsonb[])`.execute(tx);
}

export interface DigestRow {
  id: string;
  service_id: string;
  recipient_id: string;
  type: string;
  step: number;
  key: string;
  status: 'open' | 'closed';
  channels: Channel[];
  count: number;
  max_items: number | null;
  opened_at: Date;
  close_at: Date;
  closed_at: Date | null;
  message_id: string | null;
}

export interface ItemRow {
  notification_id: string;
  data: Record<string, unknown>;
  at: Date;
}

export async function itemsOf(tx: Kysely<DB>, digestId: string): Promise<ItemRow[]> {
  const { rows } = await sql<ItemRow>`
    select notification_id, data, at from digest_items where digest_id = ${digestId}
     order by at, notification_id`.execute(tx);
  return rows;
}

/**
 * Closes an open digest: the row flips to closed (its lock waits out any event still joining it, whose
 * item is then read), and one new notification carries the digest, its idempotency key the digest's
 * id, so the message exists once however often closing is tried. It resumes at the step after the digest.
 */
export async function closeDigest(tx: Kysely<DB>, id: string, now: Date): Promise<DigestRow | null> {
  const messageId = uuidv7();
  const { rows } = await sql<DigestRow>`
    update digests set status = 'closed', closed_at = ${now.toISOString()}::timestamptz, message_id = ${messageId}
     where id = ${id} and status = 'open'
    returning *`.execute(tx);
  const d = rows[0];
  if (!d) return null;
  const items = await itemsOf(tx, id);
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return d;
  const { rows: src } = await sql<{
    content: Record<string, unknown>;
    priority: number;
    step_overrides: StepOverrides | null;
  }>`
    select content, priority, step_overrides from notifications where id = ${last.notification_id}`.execute(
    tx,
  );
  const shown = items.slice(-(d.max_items ?? DIGEST_ITEMS_SHOWN));
  await acceptMany(tx, [
    {
      id: messageId,
      serviceId: d.service_id,
      type: d.type,
      recipientId: d.recipient_id,
      channels: d.channels,
      data: {
        ...last.data,
        digest: {
          id: d.id,
          key: d.key,
          count: items.length,
          items: shown.map((i) => i.data),
          first: first.data,
          last: last.data,
        },
      },
      content: src[0]?.content ?? {},
      priority: priorityName(src[0]?.priority ?? 2),
      idempotencyKey: `digest:${d.id}`,
      requestHash: '',
      // The steps after the digest run with the newest event's overrides.
      stepOverrides: src[0]?.step_overrides ?? null,
    },
  ]);
  await sql`
    insert into workflow_runs (notification_id, service_id, next_step) values (${messageId}, ${d.service_id}, ${d.step + 1})
    on conflict (notification_id) do nothing`.execute(tx);
  await recordIn(tx, messageId, [
    {
      step: d.step,
      type: 'digest',
      decision: 'digest_sent',
      at: now,
      detail: { digestId: d.id, count: items.length, openedAt: d.opened_at, closedAt: now },
    },
  ]);
  return d;
}
