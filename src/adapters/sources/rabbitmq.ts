/**
 * RabbitMQ source (amqplib): one channel consuming a durable queue with manual acks and a prefetch
 * of three batches, so the next batch is there while the runner stores two (app/event-sources.ts)
 * and no more than that is ever held in memory. A lost connection drops what was held (the broker
 * requeues every unacked message) and is made again with backoff; acks for messages of a channel
 * that is gone are skipped, since their redelivery is de-duplicated by event id.
 */
import * as amqp from 'amqplib';
import type { RabbitMqSourceConfig } from '../../config-sources.ts';
import type { EventSource, SourceMessage } from '../../ports/event-source.ts';

interface Held {
  channel: amqp.Channel;
  tag: number;
}

function headersOf(m: amqp.ConsumeMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const p = m.properties;
  if (typeof p.messageId === 'string') out['message-id'] = p.messageId;
  if (typeof p.type === 'string') out.type = p.type;
  for (const [k, v] of Object.entries(p.headers ?? {})) {
    if (v == null) continue;
    out[k] = Buffer.isBuffer(v)
      ? v.toString('utf8')
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v as string | number | boolean);
  }
  return out;
}

export function rabbitMqSource(c: RabbitMqSourceConfig): EventSource {
  let conn: amqp.ChannelModel | undefined;
  let channel: amqp.Channel | undefined;
  let closed = false;
  let connecting: Promise<void> | undefined;
  let failures = 0;
  let retryAt = 0;
  const buffer: SourceMessage[] = [];
  const held = new WeakMap<SourceMessage, Held>();
  // Delivered on the current channel and not acked yet (in the buffer or with the runner).
  let unacked = 0;
  // Acks go out as one frame per run of consecutive delivery tags (`multiple`): the runner may finish
  // the batches it holds out of order, so a tag is acked only once every tag before it is done too.
  let ackedUpTo = 0;
  const done = new Set<number>();
  let arrived: (() => void) | undefined;

  const open = async () => {
    const next = await amqp.connect(c.url);
    try {
      const ch = await next.createChannel();
      await ch.assertQueue(c.queue, { durable: true });
      if (c.bind) {
        await ch.assertExchange(c.bind.exchange, 'topic', { durable: true });
        for (const key of c.bind.routingKeys) await ch.bindQueue(c.queue, c.bind.exchange, key);
      }
      await ch.prefetch(c.batch * 3);
      const lost = () => {
        if (channel !== ch) return;
        // The broker requeues everything this channel held.
        channel = undefined;
        conn = undefined;
        buffer.length = 0;
        unacked = 0;
        ackedUpTo = 0;
        done.clear();
        arrived?.();
        // After a cancel the connection is still open: end it, or it keeps the process alive.
        void next.close().catch(() => undefined);
      };
      next.on('error', () => undefined);
      next.on('close', lost);
      ch.on('error', () => undefined);
      ch.on('close', lost);
      // Closed while connecting: this connection is nobody's.
      if (closed) throw new Error('RabbitMQ source closed');
      conn = next;
      channel = ch;
      // Delivery tags count from 1 on each channel.
      ackedUpTo = 0;
      done.clear();
      await ch.consume(
        c.queue,
        (m) => {
          if (!m) return lost(); // the broker cancelled the consumer (queue deleted)
          const message: SourceMessage = {
            body: m.content,
            headers: headersOf(m),
            address: m.fields.routingKey,
          };
          held.set(message, { channel: ch, tag: m.fields.deliveryTag });
          unacked++;
          buffer.push(message);
          arrived?.();
        },
        { noAck: false },
      );
    } catch (err) {
      await next.close().catch(() => undefined);
      throw err;
    }
  };

  const ensure = async () => {
    if (channel || closed) return;
    if (Date.now() < retryAt) throw new Error('RabbitMQ connection lost; reconnecting');
    connecting ??= open().then(
      () => {
        failures = 0;
      },
      (err: unknown) => {
        retryAt = Date.now() + Math.min(5000, 100 * 2 ** failures++);
        throw err;
      },
    );
    try {
      await connecting;
    } finally {
      connecting = undefined;
    }
  };

  return {
    start: ensure,
    async pull(max, waitMs) {
      await ensure();
      if (buffer.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, waitMs);
          function done() {
            clearTimeout(timer);
            arrived = undefined;
            resolve();
          }
          arrived = done;
        });
      }
      return buffer.splice(0, max);
    },
    async ack(messages) {
      const ch = channel;
      if (!ch) return;
      for (const m of messages) {
        const h = held.get(m);
        // A channel that is gone took its deliveries with it: the broker hands them out again.
        if (h && h.channel === ch) done.add(h.tag);
      }
      let upTo = ackedUpTo;
      while (done.delete(upTo + 1)) upTo++;
      if (upTo === ackedUpTo) return;
      // One frame acks every delivery up to this tag, all of them durable now.
      ch.ack({ fields: { deliveryTag: upTo } } as amqp.Message, true);
      unacked -= upTo - ackedUpTo;
      ackedUpTo = upTo;
    },
    async lag() {
      if (!channel) return null;
      // The queue counts only ready messages; those delivered and not acked are this source's.
      const q = await channel.checkQueue(c.queue);
      return q.messageCount + unacked;
    },
    async close() {
      closed = true;
      buffer.length = 0;
      const c0 = conn;
      channel = undefined;
      conn = undefined;
      await c0?.close().catch(() => undefined);
    },
  };
}
