/**
 * Two doors onto one PGlite: the API's (foreground) and the worker's (background).
 *
 * PGlite runs one statement at a time, and in embedded mode the API and the worker share it. Each
 * accepted notification costs the worker several statements (claim, plan, write deliveries, claim
 * for sending, settle) against the API's one insert per tick, so with one queue in arrival order an
 * accept waited behind a row of worker statements, and under load the API got a small share of the
 * database. Here each door has its own Kysely (so its own queue), and whenever both have work
 * waiting they take turns, one statement (or one whole transaction) each. An accept then waits for
 * at most one worker statement, and the worker still gets half the database while the API is busy,
 * so a burst builds a backlog the worker works through, never one it cannot reach. Alone, either
 * door has all of it.
 *
 * Taking turns at the door is not enough: PGlite runs on the event loop's thread, so a worker statement
 * also holds off the JavaScript that parses, checks and answers requests. While the API has used the
 * database lately (`activeMs`), the worker's door waits after each of its statements as long as
 * that statement took, so it has at most half the thread's time and requests get the other half.
 *
 * A transaction holds its door's turn until it ends: statements inside it go straight to PGlite.
 */
import type { PGlite as KyselyPGlite, PGliteTransaction } from 'kysely';

export interface PrioritisedPglite {
  foreground: KyselyPGlite;
  background: KyselyPGlite;
}

type Door = 'foreground' | 'background';

export interface PrioritiseOptions {
  /** How long after the API's last statement the worker's door still paces itself. */
  activeMs?: number;
  now?: () => number;
}

export function prioritise(pglite: KyselyPGlite, options: PrioritiseOptions = {}): PrioritisedPglite {
  const activeMs = options.activeMs ?? 250;
  const now = options.now ?? (() => performance.now());
  const waiting: Record<Door, (() => void)[]> = { foreground: [], background: [] };
  let busy = false;
  /** Who went last, so that the other goes next when both wait. */
  let last: Door = 'background';
  let foregroundAt = -Infinity;
  /** While the API is active, the worker's next statement starts no sooner than this. */
  let backgroundFrom = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Set by close: statements already at a door run at once, then the database closes. */
  let closing = false;
  const drained: (() => void)[] = [];
  const idle = () => !busy && waiting.foreground.length === 0 && waiting.background.length === 0;

  const backgroundMayGo = (): boolean => {
    const t = now();
    if (closing || t - foregroundAt > activeMs || t >= backgroundFrom) return true;
    if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        next();
      }, backgroundFrom - t);
    }
    return false;
  };

  const next = (): void => {
    if (busy) return;
    const fg = waiting.foreground.length > 0;
    const bg = waiting.background.length > 0 && (fg ? last === 'foreground' : backgroundMayGo());
    const door: Door | undefined = bg ? 'background' : fg ? 'foreground' : undefined;
    if (!door) {
      if (idle()) for (const resolve of drained.splice(0)) resolve();
      return;
    }
    busy = true;
    last = door;
    (waiting[door].shift() as () => void)();
  };

  const turn = async <T>(door: Door, run: () => Promise<T>): Promise<T> => {
    if (door === 'foreground') foregroundAt = now();
    await new Promise<void>((resolve) => {
      waiting[door].push(resolve);
      next();
    });
    const started = now();
    try {
      return await run();
    } finally {
      if (door === 'background') {
        const ended = now();
        backgroundFrom = ended + (ended - started);
      }
      busy = false;
      next();
    }
  };

  const closeAfterDrain = async (): Promise<void> => {
    closing = true;
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (!idle()) {
      await new Promise<void>((resolve) => {
        drained.push(resolve);
        next();
      });
    }
    await pglite.close();
  };

  const door = (name: Door): KyselyPGlite => ({
    get closed() {
      return pglite.closed;
    },
    get ready() {
      return pglite.ready;
    },
    get waitReady() {
      return pglite.waitReady;
    },
    query: (query, params, options) => turn(name, () => pglite.query(query, params, options)),
    transaction: <T>(callback: (tx: PGliteTransaction) => Promise<T>) =>
      turn(name, () => pglite.transaction(callback)),
    // The foreground's Kysely closes the database, once the statements already waiting at either door
    // have run (as PGlite's own queue would); the background's has nothing of its own to close.
    close: () => (name === 'foreground' ? closeAfterDrain() : Promise.resolve()),
  });

  return { foreground: door('foreground'), background: door('background') };
}
