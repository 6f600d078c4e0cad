/**
 * The inbox bus over PostgreSQL LISTEN/NOTIFY (and PGlite's, in embedded mode): nothing to run beside
 * the database. Its own channel, so inbox traffic never wakes the delivery lanes on `herald_wake`.
 */
import { sql } from 'kysely';
import type { Database } from '../store/connect.ts';
import type { InboxBus, RecipientRef } from '../../ports/inbox.ts';

export const INBOX_CHANNEL = 'herald_inbox';

/** `[serviceId, recipientId]` as JSON: recipient ids are free text, so no separator is safe. */
export const encodeRef = (r: RecipientRef): string => JSON.stringify([r.serviceId, r.recipientId]);

export function decodeRef(payload: string): RecipientRef | null {
  try {
    const v: unknown = JSON.parse(payload);
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { serviceId: v[0], recipientId: v[1] };
  } catch {
    /* not ours */
  }
  return null;
}

export interface PgBusOptions {
  /**
   * PostgreSQL only: listen on a connection of our own, so that after it is lost and re-made the
   * caller hears of it (`onReconnect`) and can look again; NOTIFYs sent meanwhile are gone.
   */
  databaseUrl?: string | undefined;
  onReconnect?: () => void;
  onError?: (err: unknown) => void;
}

export function pgNotifyBus(database: Pick<Database, 'db' | 'listen'>, options: PgBusOptions = {}): InboxBus {
  return {
    name: 'postgres',
    async publish(r) {
      await sql`select pg_notify(${INBOX_CHANNEL}, ${encodeRef(r)})`.execute(database.db);
    },
    async subscribe(onChange) {
      const onPayload = (payload: string) => {
        const r = decodeRef(payload);
        if (r) onChange(r);
      };
      if (options.databaseUrl) return listenOwn(options.databaseUrl, onPayload, options);
      // PGlite: in-process, nothing to lose between the publisher and us.
      return database.listen(onPayload, INBOX_CHANNEL);
    },
    async close() {},
  };
}

async function listenOwn(
  url: string,
  onPayload: (payload: string) => void,
  o: PgBusOptions,
): Promise<() => Promise<void>> {
  const pg = (await import('pg')).default;
  let client: InstanceType<typeof pg.Client> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (m) => {
      if (m.channel === INBOX_CHANNEL) onPayload(m.payload ?? '');
    });
    c.on('error', (err) => {
      o.onError?.(err);
      lost();
    });
    try {
      await c.connect();
      await c.query(`listen ${INBOX_CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    // Unsubscribed while this reconnect was under way: an open client here would keep the process up.
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
  };
  const lost = () => {
    const old = client;
    client = undefined;
    old?.end().catch(() => undefined);
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      open().then(
        () => {
          if (!stopped) o.onReconnect?.();
        },
        (err: unknown) => {
          o.onError?.(err);
          lost();
        },
      );
    }, 1000);
  };
  await open();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await client?.end().catch(() => undefined);
  };
}
