/**
 * The register of lease owners and their liveness, read through PostgreSQL's own lock table: each
 * live owner holds a session advisory lock keyed by the hash of its id (pg-owner-lock.ts), and the
 * server drops that lock the moment the session ends — when the process dies, however it dies.
 * A paused process (SIGSTOP, a long GC) keeps its connection and so keeps its lock.
 */
import { sql } from 'kysely';
import type { OwnerStore } from '../../ports/owners.ts';
import type { Db } from './db.ts';

/** The first key of every owner lock ("HRLD"); the second is `hashtext(owner)`. */
export const OWNER_LOCK_CLASS = 0x48524c44;

/** Registered owners whose lock is not held by any session of this database. */
async function unlocked(db: Db, self: string): Promise<string[]> {
  const { rows } = await sql<{ owner: string }>`
    select w.owner from worker_owners w
     where w.owner <> ${self}
       and not exists (
         select 1 from pg_locks l
          where l.locktype = 'advisory' and l.granted and l.objsubid = 2
            and l.database = (select oid from pg_database where datname = current_database())
            and l.classid = ${OWNER_LOCK_CLASS}::oid and l.objid = hashtext(w.owner)::oid)`.execute(db);
  return rows.map((r) => r.owner);
}

/**
 * Lease expiry moved to the past: the ordinary reclaim then does the rest, recording the lost attempt
 * exactly as for a lease that ran out. `null` means every owner (embedded mode at start: the only
 * process that could have held them is dead).
 */
const PAST = sql`now() - interval '1 second'`;
const ownedBy = (owners: readonly string[] | null) =>
  owners === null ? sql`true` : sql`lease_owner = any(${[...owners]}::text[])`;

async function expireDeliveryLeases(db: Db, owners: readonly string[] | null): Promise<number> {
  const res = await sql`update deliveries set lease_expires_at = ${PAST}
                         where status = 'sending' and ${ownedBy(owners)}`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

/** Notifications a dead planner held: claimable again (broadcasts resume from their cursor). */
async function expirePlanLeases(db: Db, owners: readonly string[] | null): Promise<number> {
  const res = await sql`update notifications set lease_expires_at = ${PAST}
                         where plan_status = 'planning' and ${ownedBy(owners)}`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

async function expireWebhookLeases(db: Db, owners: readonly string[] | null): Promise<number> {
  const res = await sql`update webhook_messages set lease_expires_at = ${PAST}
                         where status = 'sending' and ${ownedBy(owners)}`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

async function forget(db: Db, owners: readonly string[]): Promise<void> {
  if (owners.length === 0) return;
  await db.deleteFrom('worker_owners').where('owner', 'in', owners).execute();
}

export function kyselyOwnerStore(db: Db): OwnerStore {
  return {
    unlocked: (self) => unlocked(db, self),
    async expireLeases(owners) {
      if (owners !== null && owners.length === 0) return 0;
      let expired = 0;
      for (const expire of [expireDeliveryLeases, expirePlanLeases, expireWebhookLeases])
        expired += await expire(db, owners);
      return expired;
    },
    forget: (owners) => forget(db, owners),
  };
}
