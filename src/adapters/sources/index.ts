/**
 * One factory per broker: a Kafka source would be one more module and one more line here. Each
 * broker's client is loaded only when a source of that kind is configured, so a Herald with no
 * sources starts without them.
 */
import type { SourceConfig } from '../../config-sources.ts';
import type { EventSource } from '../../ports/event-source.ts';

export async function createEventSource(c: SourceConfig): Promise<EventSource> {
  switch (c.broker) {
    case 'rabbitmq':
      return (await import('./rabbitmq.ts')).rabbitMqSource(c);
    case 'nats':
      return (await import('./nats-jetstream.ts')).natsJetStreamSource(c);
    case 'redis':
      return (await import('./redis-streams.ts')).redisStreamSource(c);
  }
}
