/**
 * The inbox bus over Redis pub/sub, for clusters that already run Redis (`REDIS_URL`): it keeps
 * fan-out traffic off PostgreSQL. Redis carries wake-ups, with the new events when they fit; the
 * event log in the database stays the truth, so a message Redis drops costs latency, never an event.
 * ioredis is loaded when the bus is first used, so a process that never uses it does not carry it.
 */
import type { Redis } from 'ioredis';
import type { InboxBus } from '../../ports/inbox.ts';
import { decodeRefs, encodeRef, encodeRefs, MAX_MESSAGE_BYTES } from './pg-notify-bus.ts';

export const REDIS_INBOX_CHANNEL = 'herald:inbox';

export function redisBus(url: string, onError: (err: unknown) => void, onReconnect?: () => void): InboxBus {
  const options = { maxRetriesPerRequest: 2, lazyConnect: true };
  const connection = async (extra: { enableOfflineQueue?: boolean } = {}): Promise<Redis> => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { ...options, ...extra });
    redis.on('error', onError);
    return redis;
  };
  let pub: Promise<Redis> | undefined;
  const subs = new Set<Redis>();
  return {
    name: 'redis',
    async publish(r) {
      // While Redis is down a publish fails at once (and is logged) instead of waiting in a queue: the
      // item is already stored, and every subscriber reads what it missed when its connection is back.
      const p = await (pub ??= connection({ enableOfflineQueue: false }));
      if (p.status === 'wait') await p.connect();
      await p.publish(REDIS_INBOX_CHANNEL, encodeRef(r));
    },
    async publishMany(refs) {
      if (refs.length === 0) return;
      const p = await (pub ??= connection());
      if (p.status === 'wait') await p.connect();
      for (const payload of encodeRefs(refs, MAX_MESSAGE_BYTES))
        await p.publish(REDIS_INBOX_CHANNEL, payload);
    },
    async subscribe(onChange) {
      // A subscribed connection can do nothing else, hence a second one.
      const sub = await connection();
      let connectedOnce = false;
      sub.on('ready', () => {
        // After a reconnect, wake-ups sent meanwhile are gone: let the caller look at everything.
        if (connectedOnce) onReconnect?.();
        connectedOnce = true;
      });
      sub.on('message', (channel: string, payload: string) => {
        if (channel !== REDIS_INBOX_CHANNEL) return;
        for (const { events, ...r } of decodeRefs(payload)) onChange(r, events);
      });
      await sub.connect();
      await sub.subscribe(REDIS_INBOX_CHANNEL);
      subs.add(sub);
      return async () => {
        subs.delete(sub);
        sub.disconnect();
      };
    },
    async close() {
      for (const s of subs) s.disconnect();
      subs.clear();
      if (pub) (await pub).disconnect();
    },
  };
}
