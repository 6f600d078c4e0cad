/**
 * Acks of many at once, against the real brokers: a source acks a batch with as few frames as the
 * broker allows, and never acks a message that is still being stored. RabbitMQ acks a run of
 * delivery tags in one frame (`multiple`), so a batch finished before the one ahead of it must wait
 * for it; NATS acks a batch and waits for the server's answer on its last ack only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventSource } from '../../src/adapters/sources/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { EventSource } from '../../src/ports/event-source.ts';
import { eventually } from '../helpers/api.ts';
import {
  brokerProblem,
  natsPublisher,
  NATS_URL,
  rabbitPublisher,
  RABBIT_URL,
  uniqueName,
  type Publisher,
} from '../helpers/brokers.ts';

const problems = {
  rabbitmq: await brokerProblem('rabbitmq'),
  nats: await brokerProblem('nats'),
};
if (process.env.CI === 'true')
  for (const [broker, problem] of Object.entries(problems))
    if (problem) throw new Error(`${broker} is required under CI: ${problem}`);

const source = (raw: Record<string, unknown>): Promise<EventSource> | EventSource =>
  createEventSource(
    loadConfig({ HERALD_CONFIG: 'x' }, () => ({
      sources: [
        {
          service: '00000000-0000-7000-8000-000000000000',
          eventName: { value: 'e' },
          eventId: { field: '/id' },
          batch: 5,
          ...raw,
        },
      ],
    })).sources[0]!,
  );

async function pullAll(s: EventSource, n: number) {
  const out = [];
  while (out.length < n) out.push(...(await s.pull(n - out.length, 1000)));
  return out;
}

const publishTen = (pub: Publisher, p: string) =>
  pub.publish(
    Array.from({ length: 10 }, (_, i) => ({ headers: {}, body: JSON.stringify({ id: `${p}-${i}` }) })),
  );

describe('source acks', () => {
  it(
    'RabbitMQ: a later batch acked first waits for the one ahead of it; then one frame acks both',
    {
      skip: problems.rabbitmq ?? false,
    },
    async () => {
      const queue = uniqueName('t17acks');
      const s = await source({ name: queue, broker: 'rabbitmq', url: RABBIT_URL, queue });
      await s.start();
      const pub = await rabbitPublisher(RABBIT_URL, queue);
      try {
        await publishTen(pub, queue);
        const first = await pullAll(s, 5);
        const second = await pullAll(s, 5);
        await eventually(async () => (await s.lag()) === 10, { what: 'all ten delivered' });
        await s.ack(second);
        // Nothing acked: the second batch's tags are above the first's, which is still held.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await s.lag(), 10);
        await s.ack(first);
        await eventually(async () => (await s.lag()) === 0, { what: 'lag 0 after both batches' });
      } finally {
        await pub.close();
        await s.close();
      }
      // Nothing comes again to a new consumer: every message was acked.
      const again = await source({ name: queue, broker: 'rabbitmq', url: RABBIT_URL, queue });
      await again.start();
      try {
        assert.deepEqual(await again.pull(10, 500), []);
      } finally {
        await again.close();
      }
    },
  );

  it(
    'NATS: a batch acked with one confirmed ack leaves nothing pending',
    {
      skip: problems.nats ?? false,
    },
    async () => {
      const stream = uniqueName('t17acks');
      const s = await source({
        name: stream,
        broker: 'nats',
        servers: NATS_URL,
        stream,
        subjects: [`${stream}.e`],
        durable: 'h',
      });
      await s.start();
      const pub = await natsPublisher(NATS_URL, stream, `${stream}.e`);
      try {
        await publishTen(pub, stream);
        const first = await pullAll(s, 5);
        const second = await pullAll(s, 5);
        await s.ack(second);
        await s.ack(first);
        await eventually(async () => (await s.lag()) === 0, { what: 'lag 0' });
      } finally {
        await pub.close();
        await s.close();
      }
    },
  );
});
