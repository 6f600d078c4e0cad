/**
 * The broadcast planner's reads and writes. Every read is one query per batch (members with their
 * recipient rows and preferences, devices, recent counts), and every batch is written by one
 * transaction that also moves the cursor and the progress count, so a crash resumes exactly where
 * the last committed batch ended. Two batches may be in flight at once; their cursor updates commit
 * in order.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DeviceAddress } from '../../domain/channels.ts';
import { compareIds, type Audience } from '../../domain/audience.ts';
import type { RecipientPreferences } from '../../domain/preferences.ts';
import type { SharedChannel } from '../../domain/shared-broadcast.ts';
import { PRIORITY_RANK, type NotificationToPlan } from '../../domain/types.ts';
import { MembersChanged, type BatchMember, type FanoutStore } from '../../ports/audience-store.ts';
import type { DB, Db } from './db.ts';
import { WAKE_CHANNEL } from './connect.ts';
import { insertDeliveries, laneWakes } from './insert-deliveries.ts';

interface MemberRow {
  member_id: string;
  member_data: Record<string, unknown> | null;
  id: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown> | null;
  preferences: RecipientPreferences | null;
  /** Milliseconds since the epoch: a number parses far faster than a timestamp, a thousand rows a batch. */
  created_at: number | null;
  updated_at: number | null;
}

const toMember = (row: MemberRow): BatchMember => ({
  id: row.member_id,
  data: row.member_data,
  preferences: row.preferences ?? {},
  recipient:
    row.id === null
      ? null
      : {
          id: row.id,
          email: row.email,
          phone: row.phone,
          locale: row.locale,
          timezone: row.timezone,
          attributes: row.attributes ?? {},
          createdAt: new Date(row.created_at ?? 0),
          updatedAt: new Date(row.updated_at ?? 0),
        },
});

const RECIPIENT_COLUMNS = sql`r.id, r.email, r.phone, r.locale, r.timezone, r.attributes, r.preferences,
  (extract(epoch from r.created_at) * 1000)::float8 as created_at,
  (extract(epoch from r.updated_at) * 1000)::float8 as updated_at`;

class LostLease extends Error {}

/** A text[] parameter that both drivers pass the same way (pg and PGlite differ on JS arrays). */
const textArray = (ids: string[]) =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;

/**
 * Where a broadcast's members come from, as `from … where …` giving `member_id`, `member_data` and
 * the recipient `r` (null columns when there is no recipient row; `inner` leaves those out), for the
 * members after `after` up to `upTo` (either null: unbounded).
 */
function membersOf(
  a: Exclude<Audience, { kind: 'recipients' }>,
  serviceId: string,
  after: string | null,
  upTo: string | null,
  inner = false,
): { member: RawBuilder<unknown>; data: RawBuilder<unknown>; source: RawBuilder<unknown> } {
  const range = (column: RawBuilder<unknown>) =>
    sql`${after === null ? sql`true` : sql`${column} > ${after}`}
        and ${upTo === null ? sql`true` : sql`${column} <= ${upTo}`}`;
  const join = inner ? sql`join` : sql`left join`;
  if (a.kind === 'all') {
    const member = sql`r.id`;
    return {
      member,
      data: sql`null::jsonb`,
      source: sql`recipients r where r.service_id = ${serviceId} and ${range(member)}`,
    };
  }
  if (a.kind === 'topic') {
    const member = sql`t.recipient_id`;
    return {
      member,
      data: sql`null::jsonb`,
      source: sql`topic_subscribers t ${join} recipients r on r.service_id = t.service_id and r.id = t.recipient_id
               where t.service_id = ${serviceId} and t.topic = ${a.topic} and ${range(member)}`,
    };
  }
  const member = sql`m.recipient_id`;
  return {
    member,
    data: sql`m.data`,
    source: sql`audience_members m ${join} recipients r on r.service_id = ${serviceId} and r.id = m.recipient_id
             where m.audience_id = ${a.id} and ${range(member)}`,
  };
}

/** A new UUIDv7 per row: the statement's millisecond clock, then random bits (version and variant set). */
const UUIDV7 = sql`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing k.clock from 1 for 6),
                                          52, 1), 53, 1), 'hex')::uuid`;

/**
 * Whether a member is one a shared plan stands for: a recipient row, no preferences, no data of its
 * own and, when the broadcast has an email channel, an email address without a non-ASCII character
 * (see `SUPPRESSION_EMAIL`).
 */
const SHARED_MEMBER = (data: RawBuilder<unknown>, channels: readonly string[]) =>
  sql`(r.id is not null and r.preferences = '{}'::jsonb and ${data} is null${
    channels.includes('email')
      ? sql` and (r.email is null or octet_length(r.email) = char_length(r.email))`
      : sql``
  })`;

/**
 * An email address as `suppressionKey` keys it (JavaScript's `trim()` then `toLowerCase()`), for the
 * ASCII addresses `SHARED_MEMBER` admits: ASCII whitespace trimmed (tab, LF, VT, FF, CR, space) and
 * A-Z lowered by `translate`, whatever the database's locale. PostgreSQL's `lower` and an `E''`
 * escape list could not stand in: `E'\v'` is the letter v, and `lower` leaves the no-break space,
 * the final sigma and the rest of Unicode to the locale. Non-ASCII addresses are planned one by one.
 */
const SUPPRESSION_EMAIL = (address: RawBuilder<unknown>) =>
  sql`translate(btrim(${address}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)),
                'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

/**
 * A shared batch's deliveries by one INSERT … SELECT: every member after `from` up to `upTo` except
 * `own` (planned one by one) gets each channel's shared plan. What `planDeliveries` decides per
 * recipient is decided here per row, in the same order: the preference decision (shared), then a
 * missing address, a suppressed address, missing content. A member that no longer fits the shared
 * plan (preferences set, recipient deleted since the batch was read) throws `MembersChanged`, and the
 * transaction rolls back: the batch is read again rather than planned on what was read.
 */
async function insertShared(
  tx: Transaction<DB>,
  n: NotificationToPlan,
  shared: { audience: Audience; plan: SharedChannel[]; own: string[] },
  from: string | null,
  upTo: string,
): Promise<void> {
  const a = shared.audience;
  if (a.kind === 'recipients') throw new Error('an inline list has no shared batches');
  const { member, data, source } = membersOf(a, n.serviceId, from, upTo);
  const plan = shared.plan.map((c) => ({
    channel: c.channel,
    suppress: c.suppress,
    content: c.content,
    template: c.template,
  }));
  const own = shared.own.length > 0 ? sql`and not (${member} = any(${textArray(shared.own)}))` : sql``;
  const q = sql<{ changed: number }>`
    with m as (
      select r.id, r.email, r.phone, ${SHARED_MEMBER(data, n.channels)} as fits from ${source} ${own}
    ), inserted as (
      insert into deliveries (id, notification_id, service_id, recipient_id, channel, address, status,
                              priority, content, reason, last_error_code, next_attempt_at, target,
                              template, bulk)
      select ${UUIDV7}, ${n.id}::uuid, ${n.serviceId}::uuid, x.recipient_id, x.channel, x.address,
             case when x.reason is null then 'queued'
                  when x.reason in ('recipient_missing_address', 'missing_content') then 'failed'
                  else 'suppressed' end,
             ${PRIORITY_RANK[n.priority]}::smallint,
             case when x.reason is null then x.content else '{}'::jsonb end, x.reason,
             case when x.reason in ('recipient_missing_address', 'missing_content') then x.reason end,
             now(), '', case when x.reason is null or x.reason = 'missing_content' then x.template end, true
        from (select substring(int8send((extract(epoch from now()) * 1000)::bigint) from 3) as clock) k,
             (select m.id as recipient_id, c.channel, a.address, c.content, c.template,
                     case when c.suppress is not null then c.suppress
                          when a.address is null then 'recipient_missing_address'
                          when l.listed then 'address_suppressed'
                          when c.content is null then 'missing_content'
                     end as reason
                from m,
                     jsonb_to_recordset(${JSON.stringify(plan)}::jsonb)
                       as c(channel text, suppress text, content jsonb, template jsonb),
                     lateral (select case c.channel when 'email' then m.email when 'sms' then m.phone
                                                    else m.id end as address) a
                     -- One primary-key probe per address: as a plain EXISTS, a long suppression list
                     -- was read and hashed whole by every statement.
                     left join lateral (
                       select true as listed from suppressions s
                        where s.service_id = ${n.serviceId} and s.channel = c.channel
                          and s.address = case when c.channel = 'email'
                                               then ${SUPPRESSION_EMAIL(sql`a.address`)}
                                               else a.address end
                        limit 1) l on true
               where m.fits
              offset 0) x
      on conflict (notification_id, recipient_id, channel, target) do nothing
    )
    select count(*) filter (where not fits)::int as changed from m`;
  // The estimate of a statement this size can pass `jit_above_cost`: compiling it took seconds.
  await sql`set local jit = off`.execute(tx);
  const { rows } = await q.execute(tx);
  if ((rows[0]?.changed ?? 0) > 0) throw new MembersChanged();
  const queued = new Set(shared.plan.filter((c) => c.suppress === null && c.content).map((c) => c.channel));
  const wakes = laneWakes(queued);
  if (wakes.length > 0) {
    await sql`select pg_notify(${WAKE_CHANNEL}, w) from unnest(${wakes}::text[]) w`.execute(tx);
  }
}

export function kyselyFanoutStore(db: Db): FanoutStore {
  async function members(serviceId: string, ids: string[]): Promise<BatchMember[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<MemberRow>`
      select r.id as member_id, null::jsonb as member_data, ${RECIPIENT_COLUMNS}
        from recipients r where r.service_id = ${serviceId} and r.id = any(${textArray(ids)})`.execute(db);
    const found = new Map(rows.map((row) => [row.member_id, row]));
    return ids.map((id) => {
      const row = found.get(id);
      return row ? toMember(row) : { id, recipient: null, preferences: {}, data: null };
    });
  }

  return {
    members,

    async begin(n, owner) {
      const { rows } = await sql<{ cursor: string | null; planned: number; total: number | null }>`
        select plan_cursor as cursor, planned_count::int as planned, total_count::int as total
          from notifications where id = ${n.id} and lease_owner = ${owner} and cancelled_at is null`.execute(
        db,
      );
      const row = rows[0];
      if (!row) return null;
      if (row.total !== null) return { cursor: row.cursor, planned: row.planned, total: row.total };
      const a = n.audience;
      const count =
        a.kind === 'recipients'
          ? sql<{ n: number }>`select ${a.ids.length}::int as n`
          : a.kind === 'topic'
            ? sql<{ n: number }>`select count(*)::int as n from topic_subscribers
                                  where service_id = ${n.serviceId} and topic = ${a.topic}`
            : a.kind === 'all'
              ? sql<{
                  n: number;
                }>`select count(*)::int as n from recipients where service_id = ${n.serviceId}`
              : sql<{ n: number }>`select size::int as n from audiences where id = ${a.id}`;
      const total = (await count.execute(db)).rows[0]?.n ?? 0;
      await sql`update notifications set total_count = ${total} where id = ${n.id} and lease_owner = ${owner}`.execute(
        db,
      );
      return { cursor: row.cursor, planned: row.planned, total };
    },

    async nextBatch(n, cursor, limit) {
      const a = n.audience;
      const s = n.serviceId;
      if (a.kind === 'recipients') {
        // The inline list is sorted once at accept; its order is the cursor's.
        const ids = a.ids.filter((id) => cursor === null || compareIds(id, cursor) > 0).slice(0, limit);
        return members(s, ids);
      }
      const after = cursor === null ? sql`true` : undefined;
      const query =
        a.kind === 'topic'
          ? sql<MemberRow>`
              select t.recipient_id as member_id, null::jsonb as member_data, ${RECIPIENT_COLUMNS}
                from topic_subscribers t
                left join recipients r on r.service_id = t.service_id and r.id = t.recipient_id
               where t.service_id = ${s} and t.topic = ${a.topic}
                 and ${after ?? sql`t.recipient_id > ${cursor}`}
               order by t.recipient_id limit ${limit}`
          : a.kind === 'all'
            ? sql<MemberRow>`
              select r.id as member_id, null::jsonb as member_data, ${RECIPIENT_COLUMNS}
                from recipients r
               where r.service_id = ${s} and ${after ?? sql`r.id > ${cursor}`}
               order by r.id limit ${limit}`
            : sql<MemberRow>`
              select m.recipient_id as member_id, m.data as member_data, ${RECIPIENT_COLUMNS}
                from audience_members m
                left join recipients r on r.service_id = ${s} and r.id = m.recipient_id
               where m.audience_id = ${a.id} and ${after ?? sql`m.recipient_id > ${cursor}`}
               order by m.recipient_id limit ${limit}`;
      return (await query.execute(db)).rows.map(toMember);
    },

    async nextSharedBatch(n, cursor, limit) {
      const a = n.audience;
      if (a.kind === 'recipients') throw new Error('an inline list has no shared batches');
      const { member, data, source } = membersOf(a, n.serviceId, cursor, null);
      // Only the members planned one by one come back in full, and the batch's last member.
      const { rows } = await sql<MemberRow & { fits: boolean; members: number }>`
        with b as (
          select ${member} as member_id, ${data} as member_data, ${RECIPIENT_COLUMNS},
                 ${SHARED_MEMBER(data, n.channels)} as fits
            from ${source} order by ${member} limit ${limit}
        ), last as (select max(member_id) as id, count(*)::int as members from b)
        select b.*, last.members from b, last where not b.fits or b.member_id = last.id
         order by b.member_id`.execute(db);
      const last = rows.at(-1);
      if (!last) return null;
      return {
        last: last.member_id,
        members: last.members,
        own: rows.filter((row) => !row.fits).map(toMember),
      };
    },

    async devices(serviceId, recipientIds) {
      const out = new Map<string, DeviceAddress[]>();
      if (recipientIds.length === 0) return out;
      const { rows } = await sql<{
        recipient_id: string;
        id: string;
        platform: DeviceAddress['platform'];
        token: string;
        keys: DeviceAddress['keys'];
        active: boolean;
      }>`select recipient_id, id, platform, token, keys, active from devices
          where service_id = ${serviceId} and recipient_id = any(${textArray(recipientIds)})
          order by created_at`.execute(db);
      for (const r of rows) {
        const list = out.get(r.recipient_id) ?? [];
        list.push({ id: r.id, platform: r.platform, token: r.token, keys: r.keys, active: r.active });
        out.set(r.recipient_id, list);
      }
      return out;
    },

    async countRecent(serviceId, recipientIds, since, exclude) {
      if (recipientIds.length === 0) return new Map();
      const { rows } = await sql<{ recipient_id: string; n: number }>`
        select recipient_id, count(distinct notification_id)::int as n from deliveries
         where service_id = ${serviceId} and recipient_id = any(${textArray(recipientIds)})
           and created_at > ${since} and notification_id <> ${exclude}
           and status not in ('suppressed', 'failed', 'cancelled')
         group by recipient_id`.execute(db);
      return new Map(rows.map((r) => [r.recipient_id, r.n]));
    },

    async writeBatch(n, owner, batch, leaseMs, after = Promise.resolve(true)) {
      try {
        await db.transaction().execute(async (tx) => {
          // The rows first, so batches in flight insert side by side; the cursor then moves in
          // order, only after the batch before committed, and only from where that one left it.
          // A concurrent cancel either locked the notification first (then the update below finds
          // cancelled_at and this batch rolls back) or waits for this commit and then sees its rows.
          await insertDeliveries(tx, [{ n, deliveries: batch.deliveries }], true);
          if (batch.shared) await insertShared(tx, n, batch.shared, batch.from, batch.cursor);
          if (!(await after)) throw new LostLease();
          const moved = await sql`
            update notifications
               set plan_cursor = ${batch.cursor}, planned_count = planned_count + ${batch.members},
                   lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
             where id = ${n.id} and lease_owner = ${owner} and plan_status = 'planning'
               and cancelled_at is null and plan_cursor is not distinct from ${batch.from}`.execute(tx);
          if ((moved.numAffectedRows ?? 0n) === 0n) throw new LostLease();
        });
        return true;
      } catch (err) {
        if (err instanceof LostLease) return false;
        throw err;
      }
    },

    async pause(notificationId, owner) {
      await sql`
        update notifications set plan_status = 'pending', lease_owner = null, lease_expires_at = null
         where id = ${notificationId} and lease_owner = ${owner} and plan_status = 'planning'`.execute(db);
    },

    async finish(notificationId, owner) {
      await sql`
        update notifications
           set plan_status = 'planned', planned_at = now(), lease_owner = null, lease_expires_at = null
         where id = ${notificationId} and lease_owner = ${owner} and plan_status = 'planning'`.execute(db);
    },
  };
}
