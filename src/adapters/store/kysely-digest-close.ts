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

/** The items a digest message carries: the first, and the newest `shown` (both in join order). */
interface ShownItem extends ItemRow {
  digest_id: string;
  /** The item's place in its digest, 1-based, and the digest's item count. */
  n: number;
  total: number;
}

/**
 * Closes open digests, however many, in a handful of statements: the rows flip to closed (each row's
 * lock waits out any event still joining it, whose item is then read), the items each message shows are
 * read at once, and one insert makes every message, its idempotency key the digest's id, so a digest
 * has one message however often closing is tried. Each message resumes at the step after its digest.
 * Ids of digests already closed (or unknown) are passed over. Answers the digests it closed.
 */
export async function closeDigests(tx: Kysely<DB>, ids: readonly string[], now: Date): Promise<DigestRow[]> {
  if (ids.length === 0) return [];
  const at = now.toISOString();
  // The sweep locked its digests already (skip locked); a release or a full digest closes just one.
  const sorted = [...new Set(ids)];
  const { rows: closed } = await sql<DigestRow>`
    update digests d set status = 'closed', closed_at = ${at}::timestamptz, message_id = m.message_id
      from unnest(${sorted}::uuid[], ${sorted.map(() => uuidv7())}::uuid[]) as m(id, message_id)
     where d.id = m.id and d.status = 'open'
    returning d.*`.execute(tx);
  if (closed.length === 0) return [];
  // Digest by digest through the items' primary key (a lateral join): a join over all of them would
  // scan every digest's items, open and retained, for each batch.
  const { rows: items } = await sql<ShownItem>`
    select s.id as digest_id, i.notification_id, i.data, i.at, i.n::int as n, i.total::int as total
      from unnest(${closed.map((d) => d.id)}::uuid[], ${closed.map((d) => d.max_items ?? DIGEST_ITEMS_SHOWN)}::int[])
           as s(id, shown)
      cross join lateral (
        select notification_id, data, at, row_number() over (order by at, notification_id) as n,
               count(*) over () as total
          from digest_items where digest_id = s.id
      ) i
     where i.n = 1 or i.n > i.total - s.shown
     order by s.id, i.n`.execute(tx);
  const byDigest = new Map<string, ShownItem[]>();
  for (const i of items) {
    const list = byDigest.get(i.digest_id);
    if (list) list.push(i);
    else byDigest.set(i.digest_id, [i]);
  }
  const carried = closed.flatMap((d) => {
    const list = byDigest.get(d.id) ?? [];
    const first = list[0];
    const last = list.at(-1);
    if (!first || !last || d.message_id === null) return [];
    return [
      {
        d,
        messageId: d.message_id,
        first,
        last,
        shown: list.filter((i) => i.n > last.total - (d.max_items ?? DIGEST_ITEMS_SHOWN)),
      },
    ];
  });
  if (carried.length === 0) return closed;
  const { rows: sources } = await sql<{
    id: string;
    content: Record<string, unknown>;
    priority: number;
    step_overrides: StepOverrides | null;
  }>`
    select id, content, priority, step_overrides from notifications
     where id = any(${carried.map((c) => c.last.notification_id)}::uuid[])`.execute(tx);
  const source = new Map(sources.map((s) => [s.id, s]));
  await acceptMany(
    tx,
    carried.map(({ d, messageId, first, last, shown }) => {
      const src = source.get(last.notification_id);
      return {
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
            count: last.total,
            items: shown.map((i) => i.data),
            first: first.data,
            last: last.data,
          },
        },
        content: src?.content ?? {},
        priority: priorityName(src?.priority ?? 2),
        idempotencyKey: `digest:${d.id}`,
        requestHash: '',
        // The steps after the digest run with the newest event's overrides.
        stepOverrides: src?.step_overrides ?? null,
      };
    }),
  );
  await sql`
    insert into workflow_runs (notification_id, service_id, next_step)
    select * from unnest(${carried.map((c) => c.messageId)}::uuid[], ${carried.map((c) => c.d.service_id)}::uuid[],
                         ${carried.map((c) => c.d.step + 1)}::int[])
    on conflict (notification_id) do nothing`.execute(tx);
  await recordMany(
    tx,
    carried.map(({ d, messageId, last }) => ({
      notificationId: messageId,
      decisions: [
        {
          step: d.step,
          type: 'digest' as const,
          decision: 'digest_sent' as const,
          at: now,
          detail: { digestId: d.id, count: last.total, openedAt: d.opened_at, closedAt: now },
        },
      ],
    })),
  );
  return closed;
}

/** Closes one open digest (see `closeDigests`); null when it was not open. */
export async function closeDigest(tx: Kysely<DB>, id: string, now: Date): Promise<DigestRow | null> {
  return (await closeDigests(tx, [id], now))[0] ?? null;
}
