/**
 * Redis Streams status sink (ioredis): one XADD per event, pipelined per batch; the batch counts as
 * sent when Redis has replied to every XADD with the entry's id. The entry's fields are `id` (the
 * event id), `type`, `service` and `body` (the JSON event). How durable a replied XADD is depends on
 * the server's persistence (`appendonly yes` with `appendfsync always` keeps it across a crash).
 * A reply lost to a dropped connection makes the batch go again, so a consumer may see an entry
 * twice: it drops the copy by `id`.
 */
import { Redis } from 'ioredis';
import type { RedisPublisherConfig } from '../../config-publishers.ts';
import type { StatusSink } from '../../ports/status-publisher.ts';
import { withinMs } from './confirm-timeout.ts';

export function redisStreamSink(c: RedisPublisherConfig): StatusSink {
  const redis = new Redis(c.url, {
    lazyConnect: true,
    // A publish fails fast while Redis is away; the runner sends the batch again, ioredis reconnects.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
  });
  redis.on('error', () => undefined);
  const trim = c.maxLen !== undefined ? ['MAXLEN', '~', String(c.maxLen)] : [];

  return {
    async start() {
      await redis.connect();
    },
    async publish(events) {
      const p = redis.pipeline();
      for (const e of events)
        p.xadd(
          e.address,
          ...trim,
          '*',
          'id',
          e.id,
          'type',
          e.type,
          'service',
          e.serviceId,
          'body',
          Buffer.from(e.body),
        );
      const replies = await withinMs(c.confirmTimeoutMs, 'Redis XADD replies', p.exec());
      if (!replies) throw new Error('Redis did not run the XADD pipeline');
      const failed = replies.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
