/**
 * LISTEN on a PostgreSQL session of its own that comes back by itself: when the session is lost (a
 * database restart, a cut connection) another is made after a pause, as many times as it takes.
 * Notifications sent meanwhile are gone; `onReconnect` lets the caller look again.
 *
 * Stopping ends every session of the listener, including one still being made: a session that
 * finished connecting after the stop would otherwise be kept, and its socket would keep the process
 * running after it had stopped. Only the session in use reconnects when it is lost, so one
 * reconnection is under way at a time and no session is ever replaced without being ended.
 */
import pg from 'pg';

export interface ListenOptions {
  url: string;
  channel: string;
  onMessage(payload: string): void;
  /** An error on the session in use (it is then made again). */
  onError?: ((err: unknown) => void) | undefined;
  /** A failed attempt to make it again (tried again after the pause). */
  onRetryError?: ((err: unknown) => void) | undefined;
  /** After a lost session was made again. */
  onReconnect?: (() => void) | undefined;
  /** The pause before making a lost session again. */
  retryMs?: number;
}

/** A connection attempt that gets no answer gives up after this, and is tried again. */
const CONNECT_TIMEOUT_MS = 5000;

/** Listens until the returned stop is called; the first session must open, or this throws. */
export async function listenOwn(o: ListenOptions): Promise<() => Promise<void>> {
  const retryMs = o.retryMs ?? 1000;
  /** The session in use. */
  let current: pg.Client | undefined;
  /** A session being made (at most one). */
  let opening: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const open = async (): Promise<boolean> => {
    const c = new pg.Client({ connectionString: o.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    opening = c;
    c.on('notification', (m) => {
      if (m.channel === o.channel) o.onMessage(m.payload ?? '');
    });
    c.on('error', (err) => {
      if (stopped) return;
      o.onError?.(err);
      // A session being made reports through `open`; one already ended is nobody's.
      if (c === current) lost();
    });
    try {
      await c.connect();
      await c.query(`listen ${o.channel}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    } finally {
      if (opening === c) opening = undefined;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return false;
    }
    current = c;
    return true;
  };

  const lost = () => {
    const old = current;
    current = undefined;
    old?.end().catch(() => undefined);
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      open().then(
        (opened) => {
          if (opened) o.onReconnect?.();
        },
        (err: unknown) => {
          if (stopped) return;
          o.onRetryError?.(err);
          lost();
        },
      );
    }, retryMs);
  };

  await open();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const sessions = [current, opening];
    current = undefined;
    opening = undefined;
    // A session still connecting is ended without waiting for it (its connection attempt is bounded).
    sessions[1]?.end().catch(() => undefined);
    await sessions[0]?.end().catch(() => undefined);
  };
}
