/**
 * LISTEN on a PostgreSQL session of its own that comes back by itself: when the session is lost (a
 * database restart, a cut connection) another is made after a pause, as many times as it takes.
 * Notifications sent meanwhile are gone; `onReconnect` lets the caller look again.
 *
 * A session can also be lost without a sound: a network path that goes silent without a reset (a
 * dropped NAT entry, a firewall, a failover) leaves the socket open with nothing passing, and no
 * error ever comes. So the session in use is asked `select 1` every `heartbeat.everyMs`; no answer
 * within `heartbeat.answerMs` counts as lost, the same as an error. (The OS's TCP keepalive is on
 * too, which also ends a socket nobody answers, but by default it first asks after two hours.)
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
  /** How the session in use is checked while it waits; `DEFAULT_HEARTBEAT` when not given. */
  heartbeat?: Heartbeat | undefined;
}

export interface Heartbeat {
  /** How often the session in use is asked `select 1`. */
  everyMs: number;
  /**
   * How long it has to answer before it counts as lost. Also the bound on the LISTEN statement of a
   * session being made, and how long a stop waits for the server to see the session off before it
   * cuts the socket.
   */
  answerMs: number;
}

/** A silent session is noticed within about 35 s; a NOTIFY lost meanwhile is what `onReconnect` is for. */
export const DEFAULT_HEARTBEAT: Heartbeat = { everyMs: 30_000, answerMs: 5_000 };

/** A connection attempt that gets no answer gives up after this, and is tried again. */
const CONNECT_TIMEOUT_MS = 5000;

/** Ends a session; one whose server does not see it off within `ms` (a silent network) is cut. */
async function endWithin(c: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([c.end().catch(() => undefined), late]);
  clearTimeout(timer);
  c.connection.stream.destroy();
}

/** Listens until the returned stop is called; the first session must open, or this throws. */
export async function listenOwn(o: ListenOptions): Promise<() => Promise<void>> {
  const retryMs = o.retryMs ?? 1000;
  const heartbeat = o.heartbeat ?? DEFAULT_HEARTBEAT;
  /** The session in use. */
  let current: pg.Client | undefined;
  /** A session being made (at most one). */
  let opening: pg.Client | undefined;
  let stopped = false;
  /** The pause before making a lost session again. */
  let timer: NodeJS.Timeout | undefined;
  /** The session in use's next heartbeat. */
  let beat: NodeJS.Timeout | undefined;

  const open = async (): Promise<boolean> => {
    const c = new pg.Client({
      connectionString: o.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // The heartbeat's deadline, and the LISTEN statement's: a network gone silent right after the
      // connect would otherwise hold a session being made for ever.
      query_timeout: heartbeat.answerMs,
      keepAlive: true,
    });
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
    nextBeat(c);
    return true;
  };

  /** Asks the session in use for an answer after a while; a session that gives none is lost. */
  const nextBeat = (c: pg.Client) => {
    beat = setTimeout(() => {
      beat = undefined;
      c.query('select 1').then(
        () => {
          if (!stopped && c === current) nextBeat(c);
        },
        (err: unknown) => {
          // A broken session reports through its 'error' event, which comes first; a silent one
          // gets here after `answerMs` (the session's query timeout).
          if (stopped || c !== current) return;
          o.onError?.(new Error(`LISTEN ${o.channel}: no answer to a heartbeat (${String(err)})`));
          // Nothing would come back to a goodbye either: the socket is cut.
          c.connection.stream.destroy();
          lost();
        },
      );
    }, heartbeat.everyMs);
  };

  const lost = () => {
    const old = current;
    current = undefined;
    clearTimeout(beat);
    beat = undefined;
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
    clearTimeout(timer);
    timer = undefined;
    clearTimeout(beat);
    beat = undefined;
    const sessions = [current, opening];
    current = undefined;
    opening = undefined;
    // A session still connecting is ended without waiting for it (its connection attempt is bounded).
    sessions[1]?.end().catch(() => undefined);
    if (sessions[0]) await endWithin(sessions[0], heartbeat.answerMs);
  };
}
