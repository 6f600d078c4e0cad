/**
 * A worker's proof of life in server mode: a session-level advisory lock on its owner id, held on a
 * connection of its own for as long as the process lives, plus its row in `worker_owners`. The lock
 * goes when the session goes — at once when the process dies (the kernel closes its socket), after
 * TCP keepalive when its host vanishes — while a paused process keeps it. Other workers read that
 * from `pg_locks` (kysely-owners.ts) and reclaim a dead owner's leases within seconds.
 *
 * The lock is shared, never exclusive: two owner ids whose hashes collide both hold it and both look
 * alive, which only means falling back to lease expiry. Needs a direct (or session-pooled)
 * connection: a transaction-pooling proxy would hand the session, and the lock, to someone else.
 */
import pg from 'pg';
import { OWNER_LOCK_CLASS } from './kysely-owners.ts';

export interface OwnerLock {
  /** Leaves the register and lets go of the lock (a clean stop). */
  release(): Promise<void>;
}

async function takeLock(client: pg.Client, owner: string): Promise<void> {
  await client.query('select pg_advisory_lock_shared($1, hashtext($2))', [OWNER_LOCK_CLASS, owner]);
}

/** Registered after the lock is held, so a registered owner without its lock is a dead one. */
async function register(client: pg.Client, owner: string): Promise<void> {
  await client.query('insert into worker_owners (owner) values ($1) on conflict do nothing', [owner]);
}

async function unregister(client: pg.Client, owner: string): Promise<void> {
  await client.query('delete from worker_owners where owner = $1', [owner]);
}

/** Server-side keepalive on the lock's session: a host that vanished without a FIN is noticed in ~25 s. */
const KEEPALIVE = '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3';

export async function holdOwnerLock(
  url: string,
  owner: string,
  opts: { retryMs?: number; onError?: (err: unknown) => void } = {},
): Promise<OwnerLock> {
  const retryMs = opts.retryMs ?? 1000;
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const open = async (): Promise<void> => {
    const c = new pg.Client({
      connectionString: url,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      options: KEEPALIVE,
    });
    // Only the session in use matters; a half-opened or already replaced one is ended elsewhere.
    const lost = () => {
      if (client === c) reopen();
    };
    c.on('error', (err) => {
      opts.onError?.(err);
      lost();
    });
    c.on('end', lost);
    try {
      await c.connect();
      await takeLock(c, owner);
      // Someone may have judged us dead while the lock was away (a database restart): say so again.
      await register(c, owner);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    if (stopped) await c.end().catch(() => undefined);
    else client = c;
  };

  // The session was lost (a database restart, a cut connection): take the lock again, soon.
  const reopen = () => {
    const old = client;
    client = undefined;
    old?.end().catch(() => undefined);
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped)
        open().catch((err: unknown) => {
          opts.onError?.(err);
          reopen();
        });
    }, retryMs);
  };

  await open();
  return {
    async release() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (!c) return;
      await unregister(c, owner).catch(() => undefined);
      await c.end().catch(() => undefined);
    },
  };
}
