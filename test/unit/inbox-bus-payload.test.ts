/**
 * What a subscriber accepts from the inbox bus. Anyone who can publish on the Redis channel, or run
 * NOTIFY on the database, can put a message there: a message may name recipients (a wake-up costs a
 * read), but the events it carries go to sockets as they are, so only events shaped as Herald writes
 * them, a bounded number per recipient, in a message of bounded size, are taken; anything else leaves
 * the recipient named alone, and its hub reads the event log, the truth.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { decodeRefs, encodeRefs } from '../../src/adapters/realtime/pg-notify-bus.ts';
import { REDIS_INBOX_CHANNEL, redisBus } from '../../src/adapters/realtime/redis-bus.ts';
import type { InboxEvent, InboxItem } from '../../src/domain/inbox.ts';
import type { RecipientRef } from '../../src/ports/inbox.ts';
import { REDIS_URL, skipWithoutRedis } from '../helpers/redis.ts';

const S = '0195f0a0-0000-7000-8000-000000000001';
const counts = { unread: 1, unseen: 1 };
const item = (): InboxItem => ({
  id: randomUUID(),
  type: 'trade_executed',
  title: 't',
  body: 'b',
  actionUrl: null,
  data: { n: 1 },
  collapseKey: null,
  createdAt: new Date('2026-03-02T09:15:00.123Z'),
  seenAt: null,
  readAt: null,
  archivedAt: null,
  expiresAt: null,
});
const carried = (events: unknown[]) => JSON.stringify([[S, 'r', events]]);
const wire = (e: InboxEvent) => [e.seq, JSON.parse(JSON.stringify(e.body)) as unknown];

describe('inbox bus payloads', () => {
  it('takes the events Herald writes', () => {
    const events: InboxEvent[] = [
      { seq: 4, body: { type: 'item.created', item: item(), counts } },
      { seq: 5, body: { type: 'item.updated', item: { ...item(), readAt: new Date(0) }, counts } },
      { seq: 6, body: { type: 'item.removed', itemId: randomUUID(), reason: 'replaced', counts } },
      { seq: 7, body: { type: 'items.read_all', at: new Date(1), counts } },
    ];
    const [payload] = encodeRefs([{ serviceId: S, recipientId: 'r', events }]);
    assert.deepEqual(decodeRefs(payload ?? ''), [{ serviceId: S, recipientId: 'r', events }]);
  });

  it('names the recipient alone when the events are not shaped as Herald writes them', () => {
    const good = { type: 'item.created', item: JSON.parse(JSON.stringify(item())) as unknown, counts };
    const forged: unknown[][] = [
      [[1, { type: 'script', html: '<img src=x onerror=alert(1)>' }]],
      [[1, { ...good, type: 'item.created', item: 'not an item' }]],
      [[1, { ...good, item: { ...(good.item as object), title: 42 } }]],
      [[1, { ...good, item: { ...(good.item as object), createdAt: 'yesterday' } }]],
      [[1, { ...good, extra: '<b>injected</b>' }]],
      [[1, { ...good, counts: { unread: -1, unseen: 0 } }]],
      [[1, { type: 'item.removed', itemId: 'x', reason: 'because', counts }]],
      [[0, good]],
    ];
    for (const events of forged)
      assert.deepEqual(
        decodeRefs(carried(events)),
        [{ serviceId: S, recipientId: 'r' }],
        JSON.stringify(events),
      );
  });

  it('bounds the events per recipient and the size of a message', () => {
    const e = { seq: 1, body: { type: 'items.seen_all' as const, at: new Date(0), counts } };
    const many = Array.from({ length: 100 }, (_, i) => wire({ ...e, seq: i + 1 }));
    assert.ok(carried(many).length < 64 * 1024);
    assert.deepEqual(decodeRefs(carried(many)), [{ serviceId: S, recipientId: 'r' }]);
    assert.equal(decodeRefs(carried(many.slice(0, 64)))[0]?.events?.length, 64);
    const huge = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => [S, `r${i}`]));
    assert.ok(huge.length > 64 * 1024);
    assert.deepEqual(decodeRefs(huge), [], 'a message larger than any Herald sends is not ours');
  });

  it(
    'over Redis, a message published by someone else puts no content on the socket path',
    { skip: skipWithoutRedis },
    async () => {
      const serviceId = randomUUID();
      const bus = redisBus(REDIS_URL, () => undefined);
      const heard: { r: RecipientRef; events: InboxEvent[] | undefined }[] = [];
      const stop = await bus.subscribe((r, events) => {
        if (r.serviceId === serviceId) heard.push({ r, events });
      });
      const raw = new Redis(REDIS_URL);
      try {
        await raw.publish(
          REDIS_INBOX_CHANNEL,
          JSON.stringify([[serviceId, 'victim', [[1, { type: 'phish', url: 'https://evil.example' }]]]]),
        );
        const deadline = Date.now() + 10_000;
        while (heard.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(heard, [{ r: { serviceId, recipientId: 'victim' }, events: undefined }]);
      } finally {
        raw.disconnect();
        await stop();
        await bus.close();
      }
    },
  );
});
