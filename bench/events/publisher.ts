/**
 * The events bench's publisher, in a process of its own: the bench's process then runs only the
 * consumer being measured (a broker's no-op consumer, or Herald's source), so neither its CPU figure
 * nor its event loop carries the publisher's work. Driven over IPC by bench/events.ts:
 *
 *   {op: 'open', broker, name, subject?, n}  → {op: 'opened'}     connect; build n messages
 *   {op: 'publish'}                          → {op: 'published', cpuUs}   every message, confirmed
 *   {op: 'close'}                            → {op: 'closed'}
 */
import {
  natsPublisher,
  NATS_URL,
  rabbitPublisher,
  RABBIT_URL,
  redisPublisher,
  REDIS_URL,
  type Broker,
  type OutMessage,
  type Publisher,
} from '../../test/helpers/brokers.ts';

export type PublisherRequest =
  | { op: 'open'; broker: Broker; name: string; subject?: string; n: number }
  | { op: 'publish' }
  | { op: 'close' };

export type PublisherReply = { op: 'opened' } | { op: 'published'; cpuUs: number } | { op: 'closed' };

/** The bench's messages: the seed-000 event, `n` distinct ids. */
export const benchMessages = (prefix: string, n: number): OutMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    headers: { event: 'trade.executed' },
    body: JSON.stringify({ id: `${prefix}-${i}`, data: { traderId: '42', symbol: 'INFY', quantity: i } }),
  }));

let pub: Publisher | undefined;
let all: OutMessage[] = [];
const reply = (m: PublisherReply) => process.send?.(m);

process.on('message', (m: PublisherRequest) => {
  void (async () => {
    if (m.op === 'open') {
      pub =
        m.broker === 'rabbitmq'
          ? await rabbitPublisher(RABBIT_URL, m.name)
          : m.broker === 'nats'
            ? await natsPublisher(NATS_URL, m.name, m.subject ?? `${m.name}.t`)
            : await redisPublisher(REDIS_URL, m.name);
      all = benchMessages(m.name, m.n);
      reply({ op: 'opened' });
    } else if (m.op === 'publish') {
      const u0 = process.cpuUsage();
      for (let i = 0; i < all.length; i += 500) await pub?.publish(all.slice(i, i + 500));
      const u = process.cpuUsage(u0);
      reply({ op: 'published', cpuUs: (u.user + u.system) / Math.max(1, all.length) });
    } else {
      await pub?.close();
      pub = undefined;
      reply({ op: 'closed' });
    }
  })().catch((err: unknown) => {
    process.stderr.write(`publisher: ${String(err)}\n`);
    process.exit(1);
  });
});
