import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  /*
   * How far each configured status publisher (config `publishers`) has published
   * `delivery_status_log`: every row ordered at or before `(txid, log_id)` is confirmed by the
   * broker. It follows transaction ids, not row ids alone, because a row id is taken at insert and
   * becomes visible at commit, so rows commit out of id order (docs/events.md, "Status events out").
   * The lease keeps one worker publishing per publisher at a time.
   */
  `create table status_publishers (
    name text primary key,
    txid xid8 not null,
    log_id bigint not null default 0,
    published bigint not null default 0,
    lease_owner text,
    lease_expires_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
