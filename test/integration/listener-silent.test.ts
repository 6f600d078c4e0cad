/**
 * A LISTEN session whose network goes silent is found out and made again. A dropped NAT entry, a
 * firewall or a failover that sends no reset leaves the socket open with nothing passing: it never
 * errors, so without a check the listener would wait on it for ever, and an API process's inbox bus
 * would stop pushing inbox updates without a word. A proxy in front of PostgreSQL goes silent on
 * the listener's session (and then lets new connections through again, the old one staying dead);
 * a NOTIFY sent after that must still be heard, and the bus must say it reconnected so its hubs
 * read again what they may have missed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { connect, WAKE_CHANNEL, type Database } from '../../src/adapters/store/connect.ts';
import { pgNotifyBus } from '../../src/adapters/realtime/pg-notify-bus.ts';
import { eventually } from '../helpers/api.ts';
import { PG_ADMIN_URL, skipWithoutPg } from '../helpers/pg.ts';
import { pgProxy } from '../helpers/pg-proxy.ts';

/** Short, so the test does not wait long; the check's outcome does not depend on them. */
const HEARTBEAT = { everyMs: 300, answerMs: 1500 };
/** Generous: a listener that never comes back fails here, one that does is heard long before. */
const HEARD_WITHIN_MS = 30_000;

/** The timers this process has running. */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('a listener whose network goes silent', { skip: skipWithoutPg }, () => {
  const opened: { close(): Promise<void> }[] = [];
  /** Send the NOTIFYs straight to PostgreSQL, past the proxy: a session (no pool, so no pool timer) and Herald's pool. */
  const sender = new pg.Client({ connectionString: PG_ADMIN_URL });
  let direct: Database;
  before(async () => {
    await sender.connect();
    direct = await connect({ databaseUrl: PG_ADMIN_URL, dataDir: '' });
  });
  after(async () => {
    for (const o of opened.reverse()) await o.close();
    await direct?.close();
    await sender.end();
  });

  const rig = async (listenerHeartbeat = HEARTBEAT) => {
    const proxy = await pgProxy(PG_ADMIN_URL);
    opened.push(proxy);
    const database = await connect({ databaseUrl: proxy.url, dataDir: '', listenerHeartbeat });
    opened.push(database);
    return { proxy, database };
  };

  /** Sends with `send` again and again until `heard` says it arrived. */
  const heardAfterSending = (what: string, send: () => Promise<unknown>, heard: () => boolean) =>
    eventually(
      async () => {
        if (heard()) return true;
        await send();
        return false;
      },
      { timeoutMs: HEARD_WITHIN_MS, intervalMs: 200, what },
    );

  it('the wake-up listener (database.listen) reconnects and hears a NOTIFY sent later', async () => {
    const { proxy, database } = await rig();
    const before = timers();
    const heard = new Set<string>();
    const stop = await database.listen((payload) => heard.add(payload));
    opened.push({ close: stop });
    const wake = (payload: string) => sender.query('select pg_notify($1, $2)', [WAKE_CHANNEL, payload]);

    const first = randomUUID();
    await heardAfterSending(
      'a wake-up before the silence',
      () => wake(first),
      () => heard.has(first),
    );
    proxy.silence();
    proxy.speak();
    const later = randomUUID();
    await heardAfterSending(
      'a wake-up after the silence',
      () => wake(later),
      () => heard.has(later),
    );
    assert.equal(proxy.sessions(), 1, 'one session in use, through the proxy again');

    await stop();
    await eventually(async () => proxy.sessions() === 0, { what: 'the session ended' });
    assert.equal(timers(), before, 'no timer left running after the stop');
  });

  it('the inbox bus reconnects, says so (onReconnect), and hears an announcement sent later', async () => {
    const { proxy, database } = await rig();
    let reconnects = 0;
    const bus = pgNotifyBus(database, {
      databaseUrl: proxy.url,
      heartbeat: HEARTBEAT,
      onReconnect: () => reconnects++,
      onError: () => undefined,
    });
    const publisher = pgNotifyBus(direct);
    const heard = new Set<string>();
    const stop = await bus.subscribe((r) => heard.add(r.recipientId));
    opened.push({ close: stop });
    const announce = (recipientId: string) =>
      publisher.publish({ serviceId: 'listener-silent', recipientId });

    const first = randomUUID();
    await heardAfterSending(
      'an announcement before the silence',
      () => announce(first),
      () => heard.has(first),
    );
    assert.equal(reconnects, 0);
    proxy.silence();
    proxy.speak();
    const later = randomUUID();
    await heardAfterSending(
      'an announcement after the silence',
      () => announce(later),
      () => heard.has(later),
    );
    assert.ok(reconnects >= 1, 'the bus said it reconnected, so its hubs read again');

    await stop();
    await eventually(async () => proxy.sessions() === 0, { what: 'the session ended' });
  });

  it('a stop while the network is silent finishes, instead of waiting for a goodbye that never comes', async () => {
    // No heartbeat falls due during the test: only the stop meets the silence.
    const { proxy, database } = await rig({ everyMs: 600_000, answerMs: 500 });
    const before = timers();
    const stop = await database.listen(() => undefined);
    proxy.silence();
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), HEARD_WITHIN_MS);
    });
    const result = await Promise.race([stop().then(() => 'stopped' as const), stuck]);
    clearTimeout(timer);
    assert.equal(result, 'stopped');
    assert.equal(timers(), before, 'no timer left running after the stop');
  });
});
