/**
 * The hub's batched reads against an in-memory event log whose reads the test holds open: wake-ups
 * for many recipients become one query, wake-ups during a read are gathered into the next one, and
 * every connection gets every event once and in order however joins and wake-ups interleave.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InboxHub, type HubConnection } from '../../src/app/inbox-hub.ts';
import type { InboxEvent } from '../../src/domain/inbox.ts';
import type { InboxPosition, RecipientRef } from '../../src/ports/inbox.ts';

const S = '0195f0a0-0000-7000-8000-000000000001';
const who = (recipientId: string): RecipientRef => ({ serviceId: S, recipientId });
const tick = () => new Promise((r) => setImmediate(r));
const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};

function fakeStore() {
  const logs = new Map<string, InboxEvent[]>();
  const reads: { positions: InboxPosition[]; release(): void }[] = [];
  let hold = false;
  const event = (seq: number): InboxEvent => ({
    seq,
    body: { type: 'items.seen_all', at: new Date(0), counts: { unread: 0, unseen: 0 } },
  });
  return {
    reads,
    /** While held, each read waits until the test releases it. */
    hold(on: boolean) {
      hold = on;
    },
    /** Appends `n` events; returns them, as a writer would carry them on the bus. */
    append(recipientId: string, n = 1): InboxEvent[] {
      const log = logs.get(recipientId) ?? [];
      for (let i = 0; i < n; i++) log.push(event((log.at(-1)?.seq ?? 0) + 1));
      logs.set(recipientId, log);
      return log.slice(-n);
    },
    /** Retention: drops events up to `seq`. */
    prune(recipientId: string, seq: number) {
      logs.set(
        recipientId,
        (logs.get(recipientId) ?? []).filter((e) => e.seq > seq),
      );
    },
    store: {
      async eventsSinceMany(positions: InboxPosition[], limit: number) {
        // The answer is what the log holds when the read starts, like a database snapshot.
        const answer = positions.map((p) =>
          (logs.get(p.recipientId) ?? []).filter((e) => e.seq > p.since).slice(0, limit),
        );
        let release = () => {};
        const gate = hold ? new Promise<void>((r) => (release = r)) : Promise.resolve();
        reads.push({ positions, release: () => release() });
        await gate;
        return answer;
      },
    },
  };
}

function conn(lastSeq = 0) {
  const got: number[] = [];
  let resets = 0;
  const c: HubConnection = {
    lastSeq,
    send: (events) => got.push(...events.map((e) => e.seq)),
    reset: () => (resets += 1),
    heartbeat: () => {},
    close: () => {},
  };
  return { c, got, resets: () => resets };
}

const hubOf = (store: ReturnType<typeof fakeStore>['store'], extra: { batch?: number } = {}) =>
  new InboxHub({
    store,
    heartbeatMs: 60_000,
    onError: (err) => assert.fail(String(err)),
    concurrency: 1,
    ...extra,
  });

describe('inbox hub', () => {
  it('reads every recipient woken in one turn with one query', async () => {
    const f = fakeStore();
    const hub = hubOf(f.store);
    const conns = Array.from({ length: 50 }, (_, i) => {
      const x = conn();
      hub.add(who(`r${i}`), x.c);
      return x;
    });
    await settle();
    assert.equal(f.reads.length, 1, 'the connections that joined together are caught up together');
    for (let i = 0; i < 50; i++) f.append(`r${i}`, 1 + (i % 3));
    for (let i = 0; i < 50; i++) hub.wake(who(`r${i}`));
    await settle();
    assert.equal(f.reads.length, 2);
    assert.equal(f.reads[1]?.positions.length, 50);
    conns.forEach((x, i) =>
      assert.deepEqual(
        x.got,
        Array.from({ length: 1 + (i % 3) }, (_, k) => k + 1),
      ),
    );
    hub.wake(who('not-here'));
    await settle();
    assert.equal(f.reads.length, 2, 'a recipient with no socket here costs nothing');
  });

  it('gathers the wake-ups that arrive during a read into the next one', async () => {
    const f = fakeStore();
    const hub = hubOf(f.store);
    const a = conn();
    const b = conn();
    const c = conn();
    hub.add(who('a'), a.c);
    hub.add(who('b'), b.c);
    hub.add(who('c'), c.c);
    await settle();
    f.hold(true);
    f.append('a');
    hub.wake(who('a'));
    await settle();
    assert.equal(f.reads.length, 2);
    // While that read is out: a changes again (after the read's snapshot), b and c change too.
    f.append('a');
    hub.wake(who('a'));
    for (let i = 0; i < 20; i++) {
      f.append('b');
      hub.wake(who('b'));
    }
    f.append('c');
    hub.wake(who('c'));
    await settle();
    assert.equal(f.reads.length, 2, 'one read at a time (concurrency 1)');
    f.hold(false);
    f.reads[1]?.release();
    await settle();
    assert.equal(f.reads.length, 3, 'everything woken meanwhile went into one read');
    assert.deepEqual(f.reads[2]?.positions.map((p) => [p.recipientId, p.since]).sort(), [
      ['a', 1],
      ['b', 0],
      ['c', 0],
    ]);
    assert.deepEqual(a.got, [1, 2]);
    assert.deepEqual(
      b.got,
      Array.from({ length: 20 }, (_, k) => k + 1),
    );
    assert.deepEqual(c.got, [1]);
  });

  it('serves a connection that joins during a read from its own position: no gap, no repeat', async () => {
    const f = fakeStore();
    f.append('r', 10);
    const hub = hubOf(f.store);
    const current = conn(10);
    hub.add(who('r'), current.c);
    await settle();
    f.hold(true);
    f.append('r', 2);
    hub.wake(who('r'));
    await settle();
    // A reconnecting client resumes from 4 while the read from 10 is out.
    const resumed = conn(4);
    hub.add(who('r'), resumed.c);
    f.hold(false);
    f.reads.at(-1)?.release();
    await settle();
    assert.deepEqual(current.got, [11, 12]);
    assert.deepEqual(resumed.got, [5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(resumed.resets(), 0);
    assert.equal(f.reads.at(-1)?.positions[0]?.since, 4, 'the next read starts at the oldest position');
  });

  it('reads a recipient again while it has more than a page, in order', async () => {
    const f = fakeStore();
    const hub = hubOf(f.store, { batch: 7 });
    const x = conn();
    const y = conn(20);
    hub.add(who('r'), x.c);
    hub.add(who('r'), y.c);
    f.append('r', 30);
    await settle();
    assert.deepEqual(
      x.got,
      Array.from({ length: 30 }, (_, k) => k + 1),
    );
    assert.deepEqual(
      y.got,
      Array.from({ length: 10 }, (_, k) => k + 21),
    );
  });

  it('tells a connection whose next events are gone to reset, and carries on from what is there', async () => {
    const f = fakeStore();
    f.append('r', 8);
    f.prune('r', 5);
    const hub = hubOf(f.store);
    const behind = conn(2);
    const fine = conn(5);
    hub.add(who('r'), behind.c);
    hub.add(who('r'), fine.c);
    await settle();
    assert.equal(behind.resets(), 1);
    assert.deepEqual(behind.got, [6, 7, 8]);
    assert.equal(fine.resets(), 0);
    assert.deepEqual(fine.got, [6, 7, 8]);
  });

  it('reads nothing for a connection that left, and forgets its recipient', async () => {
    const f = fakeStore();
    const hub = hubOf(f.store);
    const x = conn();
    f.hold(true);
    const remove = hub.add(who('r'), x.c);
    await settle();
    remove();
    f.append('r');
    hub.wake(who('r'));
    f.hold(false);
    f.reads[0]?.release();
    await settle();
    assert.deepEqual(x.got, []);
    assert.equal(f.reads.length, 1);
    assert.equal(hub.connections, 0);
  });

  it('sends the events a wake-up carries to the connections right before them, without a read', async () => {
    const f = fakeStore();
    f.append('r', 3);
    const hub = hubOf(f.store);
    const x = conn();
    const y = conn(3);
    hub.add(who('r'), x.c);
    hub.add(who('r'), y.c);
    await settle();
    assert.equal(f.reads.length, 1);
    hub.wake(who('r'), f.append('r', 2));
    hub.wake(who('r'), f.append('r', 1));
    await settle();
    assert.equal(f.reads.length, 1, 'the carried events were enough');
    assert.deepEqual(x.got, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(y.got, [4, 5, 6]);
    // A late duplicate of events every connection has (5 and 6) sends nothing again.
    const seenAll = { type: 'items.seen_all' as const, at: new Date(0), counts: { unread: 0, unseen: 0 } };
    hub.wake(
      who('r'),
      [5, 6].map((seq) => ({ seq, body: seenAll })),
    );
    await settle();
    assert.deepEqual(y.got, [4, 5, 6], 'events a connection has are not sent again');
    const other = conn();
    hub.add(who('other'), other.c);
    await settle();
    hub.wake(who('r'), f.append('r'));
    await settle();
    assert.deepEqual(other.got, [], "a recipient's events go to its own connections only");
  });

  it('reads for a connection further behind than the carried events; a push racing a read repeats nothing', async () => {
    const f = fakeStore();
    f.append('r', 2);
    const hub = hubOf(f.store);
    const ahead = conn(2);
    hub.add(who('r'), ahead.c);
    await settle();
    f.hold(true);
    // A client resuming from 0: its catch-up read (answer 1..2) is still out when 3 is announced.
    const late = conn(0);
    hub.add(who('r'), late.c);
    await settle();
    assert.equal(f.reads.length, 2);
    hub.wake(who('r'), f.append('r'));
    await settle();
    assert.deepEqual(ahead.got, [3], 'the connection right before the event has it at once');
    assert.deepEqual(late.got, [], 'the one behind waits for the read, in order');
    f.hold(false);
    f.reads[1]?.release();
    await settle();
    assert.equal(f.reads.length, 3, 'the push found a connection behind: the group is read again');
    assert.deepEqual(late.got, [1, 2, 3]);
    assert.deepEqual(ahead.got, [3]);
    assert.equal(late.resets(), 0);
  });
});
