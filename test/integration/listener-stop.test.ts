/**
 * A LISTEN session that is being made again when its listener is stopped does not outlive the stop.
 * After PostgreSQL restarts, each listener of a process (the wake-ups, the metadata cache, the inbox
 * bus) reconnects after a pause; a process told to stop just then must not be left holding a
 * session it will never close, which keeps it running for ever after it said "stopped".
 * A proxy in front of PostgreSQL holds the reconnection until the listener has been stopped.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { connect, type Database } from '../../src/adapters/store/connect.ts';
import { pgNotifyBus } from '../../src/adapters/realtime/pg-notify-bus.ts';
import { PG_ADMIN_URL, skipWithoutPg } from '../helpers/pg.ts';
import { pgProxy, type PgProxy } from '../helpers/pg-proxy.ts';

/** How long a stopped listener's session may stay open before this counts as a leak (never, in fact). */
const LEAK_MS = 20_000;

/** Resolves when the connection is closed; fails when it is still open after `LEAK_MS`. */
async function closedByListener(socket: Socket, what: string): Promise<void> {
  if (socket.destroyed) return;
  let timer: NodeJS.Timeout | undefined;
  const leaked = new Promise<'open'>((resolve) => {
    timer = setTimeout(() => resolve('open'), LEAK_MS);
  });
  const result = await Promise.race([once(socket, 'close').then(() => 'closed' as const), leaked]);
  clearTimeout(timer);
  assert.equal(result, 'closed', `${what}: the session made after the stop is still open`);
}

describe('a listener stopped while it reconnects', { skip: skipWithoutPg }, () => {
  const opened: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const o of opened.reverse()) await o.close();
  });

  /** Its own proxy and pool, so that a session one test leaves behind is not counted by the next. */
  const rig = async () => {
    const proxy = await pgProxy(PG_ADMIN_URL);
    opened.push(proxy);
    const database: Database = await connect({ databaseUrl: proxy.url, dataDir: '' });
    opened.push(database);
    return { proxy, database };
  };

  const stoppedWhileReconnecting = async (
    what: string,
    proxy: PgProxy,
    listen: () => Promise<() => Promise<void>>,
  ) => {
    const stop = await listen();
    assert.equal(proxy.sessions(), 1);
    proxy.hold();
    proxy.cut();
    // The listener lost its session; after its pause it makes another, which the proxy holds.
    const reconnecting = await proxy.nextHeld();
    await stop();
    proxy.release(reconnecting);
    await closedByListener(reconnecting, what);
    assert.equal(proxy.sessions(), 0);
  };

  it('closes the wake-up listener session it was making (database.listen)', async () => {
    const { proxy, database } = await rig();
    await stoppedWhileReconnecting('database.listen', proxy, () => database.listen(() => undefined));
  });

  it('closes the inbox bus session it was making (pgNotifyBus on a connection of its own)', async () => {
    const { proxy, database } = await rig();
    const bus = pgNotifyBus(database, { databaseUrl: proxy.url });
    await stoppedWhileReconnecting('inbox bus', proxy, () => bus.subscribe(() => undefined));
  });
});
