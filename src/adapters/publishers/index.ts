/**
 * One factory per broker a status publisher sends to. As for sources, each broker's client is loaded
 * only when a publisher of that kind is configured; a Kafka sink would be one more module here.
 */
import type { PublisherConfig } from '../../config-publishers.ts';
import type { StatusSink } from '../../ports/status-publisher.ts';

export async function createStatusSink(c: PublisherConfig): Promise<StatusSink> {
  switch (c.broker) {
    case 'rabbitmq':
      return (await import('./rabbitmq.ts')).rabbitMqSink(c);
    case 'nats':
      return (await import('./nats-jetstream.ts')).natsJetStreamSink(c);
    case 'redis':
      return (await import('./redis-streams.ts')).redisStreamSink(c);
  }
}
