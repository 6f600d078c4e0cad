/**
 * Consumers of the status events Herald publishes, each reading everything that reached the broker:
 * a RabbitMQ queue bound to the exchange (consumed as it arrives), the whole JetStream stream (an
 * ordered consumer from its start), the whole Redis stream (XRANGE). `received()` lists every event
 * id that arrived, copies included.
 */
import * as amqp from 'amqplib';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

export interface ReceivedEvent {
  id: string;
  body: { id: string; type: string; serviceId: string; data: Record<string, unknown> };
}

export interface Collector {
  received(): Promise<ReceivedEvent[]>;
  close(): Promise<void>;
}

const parse = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString('utf8')) as ReceivedEvent['body'];

/** A durable queue bound to the exchange with `#`, made before the publisher starts. */
export async function rabbitCollector(url: string, exchange: string): Promise<Collector> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue(`${exchange}-all`, { durable: true });
  await ch.bindQueue(queue, exchange, '#');
  const got: ReceivedEvent[] = [];
  await ch.consume(
    queue,
    (m) => {
      if (!m) return;
      got.push({ id: String(m.properties.messageId), body: parse(m.content) });
    },
    { noAck: true },
  );
  return {
    received: async () => [...got],
    async close() {
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}

/** Reads the stream from its first message each time (the server may have restarted in between). */
export async function natsCollector(servers: string, stream: string, subjects: string[]): Promise<Collector> {
  const nc: NatsConnection = await natsConnect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const jsm = await jetstreamManager(nc);
  await jsm.streams
    .info(stream)
    .catch(() => jsm.streams.add({ name: stream, subjects, storage: StorageType.File }));
  return {
    async received() {
      const info = await jsm.streams.info(stream);
      const total = info.state.messages;
      const got: ReceivedEvent[] = [];
      if (total === 0) return got;
      const consumer = await jetstream(nc).consumers.get(stream);
      while (got.length < total) {
        const batch = await consumer.fetch({ max_messages: total - got.length, expires: 2000 });
        let n = 0;
        for await (const m of batch) {
          got.push({ id: m.headers?.get('Nats-Msg-Id') ?? '', body: parse(m.data) });
          n++;
        }
        if (n === 0) break;
      }
      return got;
    },
    async close() {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

export async function redisCollector(url: string, stream: string): Promise<Collector> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return {
    async received() {
      const entries = await redis.xrangeBuffer(stream, '-', '+');
      return entries.map(([, fields]) => {
        const f = new Map<string, Buffer>();
        for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString(), fields[i + 1]!);
        return { id: f.get('id')?.toString() ?? '', body: parse(f.get('body') ?? Buffer.from('null')) };
      });
    },
    async close() {
      await redis.del(stream).catch(() => undefined);
      redis.disconnect();
    },
  };
}
